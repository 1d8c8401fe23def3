/**
 * The CI summary line (.ci/summary.mjs, called by .ci/run): counts from vitest's JSON
 * result, and a runner that failed with no failed test (an unhandled error) counted
 * as a failure — a failed run never ends with "0 failed".
 */
import { describe, expect, test } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/util/process.js";
import { ROOT } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";

async function summary(result: object, runnerStatus: number): Promise<{ code: number; lines: string[] }> {
  const file = join(testDir("quantrtl-ci-"), "results.json");
  writeFileSync(file, JSON.stringify(result));
  const r = await run(process.execPath, [join(ROOT, ".ci", "summary.mjs"), file, String(runnerStatus)]);
  return { code: r.code, lines: r.stdout.trim().split("\n") };
}

describe(".ci/summary.mjs", () => {
  test("all passed: one line, exit 0", async () => {
    expect(await summary({ numPassedTests: 7, numFailedTests: 0, numTotalTests: 7 }, 0)).toEqual({ code: 0, lines: ["7 passed, 0 failed"] });
  });

  test("failed tests, skipped tests and a file that did not load are counted", async () => {
    const testResults = [
      { status: "failed", assertionResults: [{ status: "passed" }, { status: "failed" }] },
      { status: "failed", assertionResults: [] },
    ];
    const r = await summary(
      { numPassedTests: 5, numFailedTests: 1, numFailedTestSuites: 2, numPendingTests: 2, numTodoTests: 1, numTotalTests: 9, testResults },
      1,
    );
    expect(r).toEqual({ code: 1, lines: ["5 passed, 2 failed, 3 skipped"] });
  });

  test("a failed test is counted once, not again for its file", async () => {
    const testResults = [{ status: "failed", assertionResults: [{ status: "failed" }, { status: "failed" }] }];
    const r = await summary({ numPassedTests: 3, numFailedTests: 2, numFailedTestSuites: 1, numTotalTests: 5, testResults }, 1);
    expect(r).toEqual({ code: 1, lines: ["3 passed, 2 failed"] });
  });

  test("a runner failure with every test passed is one failure, said why", async () => {
    const r = await summary({ numPassedTests: 1003, numFailedTests: 0, numTotalTests: 1003 }, 1);
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(2);
    expect(r.lines[0]).toMatch(/^the test runner exited with status 1 although no test failed/);
    expect(r.lines[1]).toBe("1003 passed, 1 failed");
  });

  test("no test at all is a failure", async () => {
    expect((await summary({ numPassedTests: 0, numFailedTests: 0, numTotalTests: 0 }, 0)).code).toBe(1);
  });
});
