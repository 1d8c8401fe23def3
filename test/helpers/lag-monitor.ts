/**
 * Measures how long the test worker's event loop was held (vitest setup file, used by
 * `npx vitest run --config vitest.lag.config.ts <files>`): prints each file's longest block,
 * to find tests that run long synchronous work (vitest's worker RPC times out after 60 s).
 * A 50 ms interval timer: a tick that comes late by d means the loop was held for about d;
 * each test's end also counts the gap since the last tick (a block just before it ends).
 */
import { afterAll, afterEach, expect } from "vitest";

const PERIOD_MS = 50;
let last = Date.now();
let max = 0;
let where = "";
const note = (gap: number, name: string) => {
  if (gap > max) [max, where] = [gap, name];
};
const timer = setInterval(() => {
  const now = Date.now();
  note(now - last - PERIOD_MS, `a timer tick, last test ended: ${expect.getState().currentTestName ?? "none"}`);
  last = now;
}, PERIOD_MS);
timer.unref();
afterEach(() => {
  const now = Date.now();
  note(now - last - PERIOD_MS, expect.getState().currentTestName ?? "");
  last = now;
});
afterAll(() => {
  clearInterval(timer);
  console.log(`QUANTRTL_LAG max ${(Math.max(0, max) / 1000).toFixed(2)} s in "${where}" (${expect.getState().testPath ?? ""})`);
});
