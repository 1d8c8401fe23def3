// The CI summary line from vitest's JSON result and the runner's exit status:
// "N passed, N failed[, N skipped]", preceded by why when the runner failed with no failed test.
// usage: node .ci/summary.mjs <results.json> <runner exit status>; exits 1 when anything failed.
import { readFileSync } from "node:fs";

const [file, status] = process.argv.slice(2);
const r = JSON.parse(readFileSync(file, "utf8"));
const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
let failed = r.numFailedTests || 0;
// a file that failed to load counts (a failed file with no failed test in it); a file whose tests failed is counted by its tests
failed += (r.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).some((t) => t.status === "failed")).length;
// the runner can fail with every test passed (an unhandled error, e.g. a worker RPC timeout): a failure too
const runnerStatus = Number(status);
if (runnerStatus !== 0 && failed === 0) {
  console.log(`the test runner exited with status ${runnerStatus} although no test failed (an unhandled error, reported above): counted as 1 failure`);
  failed = 1;
}
let line = `${r.numPassedTests} passed, ${failed} failed`;
if (skipped) line += `, ${skipped} skipped`;
console.log(line);
process.exit(failed > 0 || r.numTotalTests === 0 ? 1 : 0);
