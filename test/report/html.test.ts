import { describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/html.js";
import type { QuantrtlReport } from "../../src/report/types.js";
import { fullReport, hostileReport, minimalReport } from "./fixtures.js";

const CHART_IDS = ["cycles", "resources", "power", "roofline", "comparison"] as const;

function chartIds(html: string): string[] {
  return [...html.matchAll(/<svg\b[^>]*\bdata-chart="([^"]*)"/g)].map((m) => m[1]);
}

describe("renderHtml", () => {
  it("draws every chart once when every section is present, each an <svg> opening with its <title>", () => {
    const html = renderHtml(fullReport());
    expect(chartIds(html).sort()).toEqual([...CHART_IDS].sort());
    for (const id of CHART_IDS) {
      expect(html).toMatch(new RegExp(`<svg [^>]*data-chart="${id}"[^>]*><title>[^<]+</title>`));
    }
    expect(html.match(/<svg\b/g)).toHaveLength(html.match(/<\/svg>/g)!.length);
  });

  it("draws only the charts whose section exists", () => {
    expect(chartIds(renderHtml(minimalReport())).sort()).toEqual(["cycles", "resources"]);
    const base = minimalReport();
    const full = fullReport();
    const cases: [Partial<QuantrtlReport>, string][] = [
      [{ power: full.power }, "power"],
      [{ roofline: full.roofline }, "roofline"],
      [{ comparison: full.comparison }, "comparison"],
    ];
    for (const [section, id] of cases) {
      expect(chartIds(renderHtml({ ...base, ...section })).sort()).toEqual(["cycles", "resources", id].sort());
    }
  });

  it("still renders when the optional parts are empty or degenerate", () => {
    const r = fullReport();
    const html = renderHtml({
      ...r,
      performance: { ...r.performance, layers: [] },
      roofline: [{ name: "idle", intensity: 0, performance: 0, peak: 2.4, bandwidth: 0 }],
      comparison: { ...r.comparison!, kernels: {} },
      board: { ...r.board, resources: { ...r.board.resources, dsp: 0 } },
      resources: { ...r.resources, estimate: { ...r.resources.estimate, dsp: 4 } },
    });
    expect(chartIds(html).sort()).toEqual([...CHART_IDS].sort());
    expect(html).toContain("not plotted (zero on a log axis): idle");
    expect(html).toContain("— (board has none)");
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  it("shows the verification verdict and the estimate-vs-synthesis table", () => {
    const html = renderHtml(fullReport());
    expect(html).toContain('<p class="verdict pass">bit-exact: 4096/4096 words, 3 vectors, 12872 cycles (verilator)</p>');
    expect(html).toContain('<td class="r">+20.0 %</td>');
    expect(html).toContain("47.85–77.9 %");
    expect(renderHtml(minimalReport())).toContain('<p class="muted">not run</p>');
  });

  it("escapes report text everywhere and emits no <script> tag", () => {
    const html = renderHtml(hostileReport());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('"x"');
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;");
    expect(html).toContain("<title>quantrtl report: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;</title>");
    // an escaped name inside a chart: the layer label of the cycles chart
    expect(html).toMatch(/data-chart="cycles"[\s\S]*<title>&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;x&quot;<\/title>/);
  });

  it("is self-contained: no URL but the SVG namespace, no external stylesheet, script, font or image", () => {
    for (const report of [fullReport(), minimalReport(), hostileReport()]) {
      const html = renderHtml(report);
      const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]*/gi)].map((m) => m[0]);
      expect(new Set(urls)).toEqual(new Set(["http://www.w3.org/2000/svg"]));
      expect(html).not.toMatch(/<link\b|<img\b|<iframe\b|<object\b|@import|url\((?!#)|\bsrc=|\bhref=/i);
      expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
      expect(html).toContain('<meta charset="utf-8">');
    }
  });
});
