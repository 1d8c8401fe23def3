import { describe, expect, it } from "vitest";
import { escapeMarkdown, renderMarkdown } from "../../src/report/markdown.js";
import { computeReductions } from "../../src/report/tables.js";
import { paperSetting } from "../../src/estimate/comparison.js";
import { fullReport, HOSTILE_NAME, hostileReport, minimalReport } from "./fixtures.js";

/** The Markdown table whose header row is exactly `header`, as rows of cells (header first, rule row dropped). */
function tableAfter(md: string, header: string): string[][] {
  const lines = md.split("\n");
  const start = lines.indexOf(header);
  expect(start, `table header not found: ${header}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = start; i < lines.length && lines[i].startsWith("|"); i++) {
    if (i === start + 1) continue;
    rows.push(splitRow(lines[i]));
  }
  return rows;
}

/** Splits on unescaped pipes. */
function splitRow(line: string): string[] {
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

describe("renderMarkdown", () => {
  const md = renderMarkdown(fullReport());

  it("states the verification verdict in the bit-exact line form", () => {
    expect(md).toContain("\nbit-exact: 4096/4096 words, 3 vectors, 12872 cycles (verilator)\n");
    expect(md).toContain("measured 12,872 cycles, predicted 12,800");
  });

  it("states each proof run of the main job before the cycle-measurement run", () => {
    const r = fullReport();
    const proof = [
      { sim: "verilator", vectors: 10, compared: 10, matched: 10, bitExact: true, backpressure: 0.25 },
      { sim: "icarus", vectors: 10, compared: 10, matched: 9, bitExact: false, backpressure: 0.25 },
    ];
    const text = renderMarkdown({ ...r, verification: { ...r.verification!, proof } });
    const at = (line: string) => text.indexOf(`\n${line}\n`);
    expect(at("bit-exact (verilator): 10/10 words on 10 vectors, back-pressure 0.25")).toBeGreaterThan(0);
    expect(at("NOT bit-exact (icarus): 9/10 words on 10 vectors, back-pressure 0.25")).toBeGreaterThan(
      at("bit-exact (verilator): 10/10 words on 10 vectors, back-pressure 0.25"),
    );
    expect(at("Cycles measured on a further run (3 vector(s), no back-pressure):")).toBeGreaterThan(
      at("NOT bit-exact (icarus): 9/10 words on 10 vectors, back-pressure 0.25"),
    );
    expect(at("bit-exact: 4096/4096 words, 3 vectors, 12872 cycles (verilator)")).toBeGreaterThan(0);
    // without proof runs (quantrtl report --verify) there is no such line
    expect(md).not.toContain("Cycles measured on a further run");
  });

  it("says NOT bit-exact when a word differs", () => {
    const r = fullReport();
    const failing = renderMarkdown({ ...r, verification: { ...r.verification!, matched: 4000, bitExact: false } });
    expect(failing).toContain("\nNOT bit-exact: 4000/4096 words, 3 vectors, 12872 cycles (verilator)\n");
  });

  it("has the headings of every section present", () => {
    for (const h of [
      "# quantrtl report: tiny-adder",
      "## Verification",
      "## Performance",
      "## Resources",
      "## Power",
      "## Energy (45 nm per-operation model)",
      "## Roofline",
      "## Datapath comparison",
    ]) {
      expect(md.split("\n")).toContain(h);
    }
  });

  it("tabulates per-layer cycles", () => {
    const rows = tableAfter(md, "| layer | datapath | PE | SIMD | ideal cycles | fill cycles | latency cycles | interval cycles | utilization |");
    expect(rows.slice(1)).toEqual([
      ["conv1", "adder", "4", "3", "6,272", "70", "6,400", "6,300", "99.6 %"],
      ["conv2", "adder", "8", "8", "4,608", "130", "4,800", "4,700", "98.0 %"],
    ]);
  });

  it("puts estimate beside synthesis with the estimate's error and the fraction of the board", () => {
    const rows = tableAfter(md, "| resource | board | estimate | synthesis | estimate error | estimate, % of board | synthesis, % of board |");
    // LUT: (1200 − 1000) / 1000 = +20 %; 1200 / 63400 = 1.89 %; 1000 / 63400 = 1.58 %
    expect(rows[1]).toEqual(["LUT", "63,400", "1,200", "1,000", "+20.0 %", "1.9 %", "1.6 %"]);
    // FF: (900 − 1000) / 1000 = −10 %
    expect(rows[2]).toEqual(["FF", "126,800", "900", "1,000", "−10.0 %", "0.7 %", "0.8 %"]);
    expect(rows[3]).toEqual(["DSP", "240", "0", "0", "0.0 %", "0.0 %", "0.0 %"]);
    expect(md).toContain("Synthesis by Yosys 0.55: 150 carry cells, 0 latches.");
  });

  it("shows the share of the units outside the engines with their own error bar", () => {
    const r = fullReport();
    const bar = (relRms: number, relWorst: number) => ({ relRms, relWorst, absAtZero: 0 });
    const withUnits = renderMarkdown({
      ...r,
      resources: {
        ...r.resources,
        units: { lut: 300, ff: 250, dsp: 2, bramBits: 18432 },
        unitErrorBar: { family: "xilinx", lut: bar(0.1, 0.25), ff: bar(0.05, 0.2), dsp: bar(0, 0.5), bramBits: bar(0, 0) },
      },
    });
    const rows = tableAfter(
      withUnits,
      "| resource | board | estimate | of which units outside the engines | their error bar | synthesis | estimate error | estimate, % of board | synthesis, % of board |",
    );
    expect(rows[1]).toEqual(["LUT", "63,400", "1,200", "300", "±10.0 % / ±25.0 %", "1,000", "+20.0 %", "1.9 %", "1.6 %"]);
    expect(rows[4].slice(0, 5)).toEqual(["BRAM bits", "4,976,640", "36,864", "18,432", "±0.0 % / ±0.0 %"]);
  });

  it("states the error on synthesized whole networks beside the reference-design error bar", () => {
    const r = fullReport();
    const bar = (relRms: number, relWorst: number) => ({ relRms, relWorst, absAtZero: 0 });
    const text = renderMarkdown({
      ...r,
      resources: {
        ...r.resources,
        networkErrorBar: { family: "xilinx", networks: 10, lut: bar(0.3, 0.6), ff: bar(0.1, 0.15), dsp: bar(0.2, 0.5), bramBits: bar(0.05, 0.2) },
      },
    });
    const headerLine = text.split("\n").find((l) => l.startsWith("| resource | board | estimate |"))!;
    const rows = tableAfter(text, headerLine);
    const header = rows[0];
    expect(header).toContain("error on whole networks (RMS / worst, 10 synthesized builds)");
    const col = header.indexOf("error on whole networks (RMS / worst, 10 synthesized builds)");
    expect(rows[1][col]).toBe("±30.0 % / ±60.0 %");
    expect(rows[4][col]).toBe("±5.0 % / ±20.0 %");
  });

  it("breaks power down with each part's share of the total", () => {
    const rows = tableAfter(md, "| component | power | share of total |");
    expect(rows).toContainEqual(["dynamic: logic", "20 mW", "13.3 %"]);
    expect(rows).toContainEqual(["static", "100 mW", "66.7 %"]);
    expect(rows).toContainEqual(["total", "150 mW", "100.0 %"]);
    expect(md).toContain("toggle rate 12.5 % (default 12.5 %)");
  });

  it("shows the paper's published reductions beside ours, each row naming its baseline", () => {
    const rows = tableAfter(md, "|  | scope | logic (LUT) reduction | power reduction | speedup | speed basis |");
    expect(rows[1]).toEqual(["published: adder vs. mac (AdderNet hardware, arXiv 2103.00112)", "whole design", "67.6–71.4 %", "47.85–77.9 %", "16 %", "paper"]);
    // adder: 1 − 600/2000 = 70 %; 1 − 0.1/0.2 = 50 %; same cycles at 116 vs 100 MHz = 16 % faster
    expect(rows[2]).toEqual(["ours: adder vs. mac (multipliers on DSPs)", "whole design", "70.0 %", "50.0 %", "16.0 %", "cycles / Fmax"]);
    // xnor has no Fmax, so speed compares cycles only
    expect(rows[3]).toEqual(["ours: xnor vs. mac (multipliers on DSPs)", "whole design", "85.0 %", "75.0 %", "0.0 %", "cycles"]);
    // no adder-nodsp / mac-nodsp pair: the text says no row is the paper's setting
    expect(md).toContain("needs the adder-nodsp and mac-nodsp builds");
    const kernels = tableAfter(
      md,
      "| datapath | baseline | LUT | lanes LUT | FF | DSP | BRAM bits | Fmax | power | energy / frame | cycles | source | estimate LUT / FF / DSP / BRAM bits (LUT error) |",
    );
    expect(kernels[3]).toEqual(["xnor", "mac", "300", "—", "800", "0", "4,608", "—", "50 mW", "500 nJ", "12,800", "estimate", "—"]);
    // a synthesized build shows its estimate beside it: (2300 − 2000) / 2000 = +15 %, (450 − 600) / 600 = −25 %
    expect(kernels[1].at(-1)).toBe("2,300 / 1,400 / 16 / 36,864 (LUT +15.0 %)");
    expect(kernels[2].at(-1)).toBe("450 / 1,500 / 0 / 36,864 (LUT −25.0 %)");
  });

  it("leads with the paper's setting (adder-nodsp vs. mac-nodsp): whole design, datapath alone, and a reason where ours is outside the range", () => {
    const full = fullReport();
    const c = full.comparison!;
    const base = { ff: 1600, dsp: 0, bram_bits: 36864, fmax_mhz: null, energy_j: 2e-6, cycles: 12800, source: "estimate" as const, static_w: 0.05 };
    const kernels = {
      ...c.kernels,
      "mac-nodsp": { ...base, lut: 3000, power_w: 0.25, datapath_lut: 2000, baseline: null },
      "adder-nodsp": { ...base, lut: 2000, power_w: 0.15, datapath_lut: 600, baseline: "mac-nodsp" },
    };
    const text = renderMarkdown({ ...full, comparison: { ...c, kernels, paper_setting: paperSetting(kernels) } });
    const rows = tableAfter(text, "|  | scope | logic (LUT) reduction | power reduction | speedup | speed basis |");
    // whole design 1 − 2000/3000 = 33.3 %, 1 − 0.15/0.25 = 40 %; lanes 1 − 600/2000 = 70 %
    expect(rows[2]).toEqual(["ours, paper's setting: adder-nodsp vs. mac-nodsp", "whole design", "33.3 %", "40.0 %", "0.0 %", "cycles"]);
    expect(rows[3]).toEqual(["ours, paper's setting: adder-nodsp vs. mac-nodsp", "datapath alone (lanes)", "70.0 %", "—", "—", "LUT estimate"]);
    // 33.3 % < 67.6 %: the reason names the lanes' 70 % and the rest, 1400 vs. 1000 LUTs; 40 % < 47.85 %: static power
    expect(text).toContain("Outside the published range — logic: the lanes alone save 70.0 %");
    expect(text).toContain("1400 vs. 1000 LUTs");
    // dynamic alone: 1 − 0.10/0.20 = 50 %
    expect(text).toContain("dynamic power alone is 50.0 % lower");
    // the paper's setting comes before the table of builds
    expect(text.indexOf("The paper's setting")).toBeLessThan(text.indexOf("| datapath | baseline |"));
  });

  it("computes no reductions of ours without a mac baseline", () => {
    const c = fullReport().comparison!;
    const noMac = { ...c, kernels: { adder: c.kernels.adder } };
    expect(computeReductions(noMac)).toEqual([]);
    const text = renderMarkdown({ ...fullReport(), comparison: noMac });
    expect(text).toContain("No mac kernel in the comparison");
    expect(text).toContain("published: adder vs. mac");
  });

  it("renders a report with no optional section", () => {
    const text = renderMarkdown(minimalReport());
    expect(text).toContain("## Verification\n\nnot run\n");
    expect(text).toContain("| resource | board | estimate | estimate, % of board |");
    expect(text).toContain("Synthesis not run: estimates only.");
    expect(text).toContain("## Power\n\nnot estimated\n");
    for (const absent of ["bit-exact", "## Energy", "## Roofline", "## Datapath comparison", "synthesis |"]) expect(text).not.toContain(absent);
  });

  it("escapes report text so it cannot add markup or break a table row", () => {
    expect(escapeMarkdown("a|b <i>*x*</i> & [l](u) `c` _d_")).toBe("a\\|b \\<i\\>\\*x\\*\\</i\\> \\& \\[l\\](u) \\`c\\` \\_d\\_");
    const text = renderMarkdown(hostileReport());
    expect(text).not.toMatch(/(?<!\\)<script/);
    expect(text).toContain('\\<script\\>alert(1)\\</script\\> \\& "x"');
    // every layer row still has exactly nine cells
    const rows = tableAfter(text, "| layer | datapath | PE | SIMD | ideal cycles | fill cycles | latency cycles | interval cycles | utilization |");
    for (const row of rows) expect(row).toHaveLength(9);
    expect(HOSTILE_NAME).toContain("<script>");
  });
});
