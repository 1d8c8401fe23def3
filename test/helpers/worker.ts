/**
 * Runs a long synchronous computation in a worker thread, so the test's own event loop
 * stays free: vitest's worker -> main RPC times out after a fixed 60 s, and a computation
 * of seconds on an idle machine takes a minute on a loaded one. A job is an .mjs file in
 * test/helpers/jobs/ that imports the built modules (dist/, built once by
 * test/global-setup.ts), reads `workerData` and posts one plain-data result.
 */
import { Worker } from "node:worker_threads";

export function runJob<T>(job: string, data: unknown): Promise<T> {
  const url = new URL(`./jobs/${job}.mjs`, import.meta.url);
  return new Promise<T>((resolvePromise, reject) => {
    const worker = new Worker(url, { workerData: data });
    let result: { value: T } | undefined;
    worker.once("message", (value: T) => (result = { value }));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (result) resolvePromise(result.value);
      else reject(new Error(`job ${job} exited with ${code} before posting a result`));
    });
  });
}
