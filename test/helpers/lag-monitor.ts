/**
 * Measures how long the test worker's event loop was held (vitest setup file, used by
 * `npx vitest run --config vitest.lag.config.ts <files>`): prints each file's longest block,
 * to find tests that run long synchronous work (vitest's worker RPC times out after 60 s).
 */
import { afterAll, expect } from "vitest";
import { monitorEventLoopDelay } from "node:perf_hooks";

const histogram = monitorEventLoopDelay({ resolution: 20 });
histogram.enable();
afterAll(() => {
  histogram.disable();
  console.log(`QUANTRTL_LAG max ${(histogram.max / 1e9).toFixed(2)} s (${expect.getState().testPath ?? ""})`);
});
