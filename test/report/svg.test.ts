import { describe, expect, it } from "vitest";
import { barChart, escapeXml, logLogScatter } from "../../src/report/svg.js";

describe("svg charts", () => {
  it("escapes the five markup characters", () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  });

  it("draws bar lengths in proportion to the values against the axis maximum", () => {
    const svg = barChart({ id: "t", title: "T", categories: ["a", "b"], series: ["s"], values: [[50], [100]], max: 200 });
    const widths = [...svg.matchAll(/<rect x="150" y="[^"]*" width="([^"]*)"/g)].map((m) => Number(m[1]));
    // plot width = 760 − 150 (labels) − 170 (values) = 440
    expect(widths).toEqual([110, 220]);
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="chart" data-chart="t" role="img" viewBox="0 0 760 [0-9.]+"[^>]*><title>T<\/title>/,
    );
  });

  it("draws a legend only for more than one series, and a dashed reference line", () => {
    const one = barChart({ id: "o", title: "O", categories: ["a"], series: ["only"], values: [[1]] });
    expect(one).not.toContain(">only</text>");
    const two = barChart({ id: "g", title: "G", categories: ["a"], series: ["s1", "s2"], values: [[1, 2]], reference: { value: 3, label: "cap" } });
    expect(two).toContain(">s1</text>");
    expect(two).toContain(">s2</text>");
    expect(two).toContain('stroke-dasharray="4 3"');
    expect(two).toContain(">cap</text>");
  });

  it("says 'no data' instead of drawing an empty chart", () => {
    expect(barChart({ id: "e", title: "E", categories: [], series: ["s"], values: [] })).toContain(">no data</text>");
    expect(logLogScatter({ id: "r", title: "R", xLabel: "x", yLabel: "y", points: [] })).toContain(">no data</text>");
  });

  it("bends the roof at the ridge point peak / bandwidth on log-log axes", () => {
    // peak 100 GOP/s at 10 GB/s: ridge at 10 op/B. Axes: x 10^-1..10^3 (points 0.1 and 1000),
    // y 10^-1..10^2 (0.5 up to the peak 100). Plot box x 70..740, y 46..386.
    const svg = logLogScatter({
      id: "roof",
      title: "R",
      xLabel: "op/B",
      yLabel: "GOP/s",
      points: [
        { label: "p1", x: 0.1, y: 0.5 },
        { label: "p2", x: 1000, y: 90 },
      ],
      roofs: [{ label: "roof", peak: 100, bandwidth: 10 }],
    });
    const polyline = svg
      .match(/<polyline points="([^"]*)"/)![1]
      .split(" ")
      .map((pt) => pt.split(",").map(Number));
    const px = (x: number) => 70 + ((Math.log10(x) + 1) / 4) * 670;
    const py = (y: number) => 386 - ((Math.log10(y) + 1) / 3) * 340;
    // start of the slope at x = 0.1: 10 GB/s · 0.1 op/B = 1 GOP/s; ridge (10, 100); flat to x = 1000
    const expected = [
      [px(0.1), py(1)],
      [px(10), py(100)],
      [px(1000), py(100)],
    ];
    expect(polyline).toHaveLength(3);
    polyline.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(expected[i][0], 0);
      expect(y).toBeCloseTo(expected[i][1], 0);
    });
    expect(svg.match(/<circle /g)).toHaveLength(2);
  });
});
