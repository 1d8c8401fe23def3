import { afterEach, describe, expect, test, vi } from "vitest";
import { etaReporter, formatSeconds } from "../../src/util/progress.js";
import { simProgress } from "../../src/verify/harness.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("progress with an ETA", () => {
  test("seconds read as minutes and seconds past a minute", () => {
    expect(formatSeconds(12.2)).toBe("13 s");
    expect(formatSeconds(100)).toBe("1 min 40 s");
    expect(formatSeconds(60)).toBe("1 min 0 s");
  });

  test("one line every five seconds at most, none once done; the ETA from the rate so far (hand-computed)", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const lines: string[] = [];
    const tick = etaReporter("golden", 1000, (m) => lines.push(m));
    vi.setSystemTime(4000);
    tick(100); // before five seconds: nothing
    vi.setSystemTime(10_000);
    tick(250); // 25/s over 10 s, 750 left: 30 s
    vi.setSystemTime(12_000);
    tick(300); // two seconds after the last line: nothing
    vi.setSystemTime(20_000);
    tick(1000); // done: nothing
    expect(lines).toEqual(["golden: 250/1000 images, 25/s, about 30 s left"]);
  });

  test("a simulator's QUANTRTL_PROGRESS lines become cycle progress against the expected cycles", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const lines: string[] = [];
    const onLine = simProgress("icarus", { expectedCycles: 40_000, onProgress: (m) => lines.push(m) });
    vi.setSystemTime(8000);
    onLine("QUANTRTL_TAP 0 1 1 -1"); // other lines are ignored
    onLine("QUANTRTL_PROGRESS 8192"); // 1024/s over 8 s; 31,808 left: 31.06 s → 32 s
    expect(lines).toEqual(["icarus: simulating: 8192/40000 cycles, 1024/s, about 32 s left"]);
  });
});
