/**
 * Temporary folders for tests, removed when the test that made them finishes
 * (pass or fail), so a test run leaves nothing in the system's temp directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/** Removes `path` (a folder) when the current test finishes. */
export function removeAfterTest(path: string | undefined): void {
  if (path) onTestFinished(() => rmSync(path, { recursive: true, force: true }));
}

/** A fresh folder under the temp directory, removed when the current test finishes. Call it inside a test. */
export function testDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  removeAfterTest(dir);
  return dir;
}
