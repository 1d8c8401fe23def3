import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/html.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { writeReport } from "../../src/report/write.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { fullReport, minimalReport } from "./fixtures.js";

describe("writeReport", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "quantrtl-report-write-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("writes report.json, report.md and report.html and returns their paths", () => {
    const report = fullReport();
    const dir = join(root, "out", "report");
    const paths = writeReport(dir, report);
    expect(paths).toEqual({ dir, json: join(dir, "report.json"), markdown: join(dir, "report.md"), html: join(dir, "report.html") });
    // and the marker that makes it quantrtl's to replace (src/util/output.ts)
    expect(readdirSync(dir).sort()).toEqual([".quantrtl-out.json", "report.html", "report.json", "report.md"]);
    expect(JSON.parse(readFileSync(paths.json, "utf8"))).toEqual(report);
    expect(readFileSync(paths.markdown, "utf8")).toBe(renderMarkdown(report));
    expect(readFileSync(paths.html, "utf8")).toBe(renderHtml(report));
    // nothing staged is left beside it
    expect(readdirSync(join(root, "out"))).toEqual(["report"]);
  });

  it("replaces an older report whole", () => {
    const dir = join(root, "report");
    writeReport(dir, fullReport());
    const paths = writeReport(dir, minimalReport());
    expect(JSON.parse(readFileSync(paths.json, "utf8"))).toEqual(minimalReport());
    expect(readFileSync(paths.markdown, "utf8")).toContain("## Verification\n\nnot run");
    expect(readdirSync(root)).toEqual(["report"]);
  });

  it("refuses a folder holding other files instead of wiping them", () => {
    const dir = join(root, "design");
    mkdirSync(dir);
    writeFileSync(join(dir, "top.v"), "module top; endmodule\n");
    expect(() => writeReport(dir, fullReport())).toThrow(QuantrtlError);
    expect(() => writeReport(dir, fullReport())).toThrow(/holds other files \(top\.v\)/);
    expect(readdirSync(dir)).toEqual(["top.v"]);
    expect(readdirSync(root)).toEqual(["design"]);
    expect(existsSync(join(dir, "report.json"))).toBe(false);
  });
});
