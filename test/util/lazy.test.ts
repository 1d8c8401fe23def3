import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lazyPackage } from "../../src/util/lazy.js";
import { testDir } from "../helpers/temp.js";

describe("lazyPackage", () => {
  it("loads the package on the first call only, and never before", () => {
    const dir = testDir("qrtl-lazy-");
    const file = join(dir, "counted.cjs");
    // the module counts its own evaluations in a global, so loading is observable from outside
    writeFileSync(file, "globalThis.__qrtlLazyLoads = (globalThis.__qrtlLazyLoads ?? 0) + 1; module.exports = { answer: 42 };\n");
    const g = globalThis as { __qrtlLazyLoads?: number };
    delete g.__qrtlLazyLoads;
    const get = lazyPackage<{ answer: number }>(file);
    expect(g.__qrtlLazyLoads).toBeUndefined();
    expect(get().answer).toBe(42);
    expect(get().answer).toBe(42);
    expect(g.__qrtlLazyLoads).toBe(1);
  });
});
