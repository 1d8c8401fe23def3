/** Builds dist/ once before any test file runs (the CLI tests run the built CLI). */
import { spawn } from "node:child_process";
import { ROOT } from "./helpers/cli.js";

export default async function setup(): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolvePromise() : reject(new Error(`npx tsc -p tsconfig.json failed (exit ${code}):\n${output}`))));
  });
}
