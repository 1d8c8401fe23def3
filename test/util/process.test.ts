import { describe, expect, test } from "vitest";
import { run } from "../../src/util/process.js";

describe("run", () => {
  test("hands each complete line of standard output to onLine as it comes, and still collects it all", async () => {
    const lines: string[] = [];
    // three lines over two writes, the middle one split between them; the last, without a newline, comes when the process ends
    const r = await run("sh", ["-c", "printf 'one\\ntw'; sleep 0.2; printf 'o\\nthree'"], { onLine: (l) => lines.push(l) });
    expect(r.code).toBe(0);
    expect(lines).toEqual(["one", "two", "three"]);
    expect(r.stdout).toBe("one\ntwo\nthree");
  });
});
