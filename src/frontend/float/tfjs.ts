/**
 * One place that starts @tensorflow/tfjs for the float reference.
 *
 * tfjs-node cannot install here (its install step downloads libtensorflow), so
 * the float models run on the WebAssembly backend, whose .wasm binaries ship
 * inside the @tensorflow/tfjs-backend-wasm npm package: we point it at that
 * package's dist/ folder on disk instead of a URL. wasm lacks the conv2d
 * filter-gradient kernel; wasm-gradients.ts supplies it (and wasm-matmul.ts
 * routes transposed matMuls through the fast kernel). When wasm cannot start, the
 * pure-JS "cpu" backend gives the same results, only slower.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { registerWasmConv2dBackpropFilter } from "./wasm-gradients.js";
import { registerWasmTransposedMatMul } from "./wasm-matmul.js";

export type Tf = typeof tf;

let ready: Promise<Tf> | undefined;

/** Folder (with trailing separator) holding tfjs-backend-wasm*.wasm. */
export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/";
}

/**
 * Selects the tfjs backend once (wasm, else cpu) and returns tf. Idempotent:
 * every call after the first returns the same promise. Logs the backend used
 * on stderr unless QUANTRTL_QUIET_TF is set.
 */
export function initTf(): Promise<Tf> {
  ready ??= selectBackend();
  return ready;
}

async function selectBackend(): Promise<Tf> {
  let reason: string;
  try {
    setWasmPaths(wasmDistDir());
    if (await tf.setBackend("wasm")) {
      await tf.ready();
      registerWasmConv2dBackpropFilter();
      registerWasmTransposedMatMul();
      log(`tfjs backend: wasm (simd ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "on" : "off"})`);
      return tf;
    }
    reason = "setBackend('wasm') returned false";
  } catch (e) {
    reason = e instanceof Error ? e.message : String(e);
  }
  await tf.setBackend("cpu");
  await tf.ready();
  log(`tfjs backend: cpu (wasm unavailable: ${reason})`);
  return tf;
}

function log(line: string): void {
  if (!process.env.QUANTRTL_QUIET_TF) process.stderr.write(`[quantrtl] ${line}\n`);
}
