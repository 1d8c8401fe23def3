/**
 * report.html: one self-contained page — inline CSS and inline SVG charts, no
 * script, no external CSS / fonts / images, nothing fetched — so it opens from
 * a CI artifact or an e-mail. Every string from the report is escaped.
 */
import type { QuantrtlReport } from "./types.js";
import { barChart, escapeXml, logLogScatter, Roof } from "./svg.js";
import { boardShare, formatFraction, formatInt, formatSi, formatSig, formatWatts } from "./format.js";
import {
  BASELINE_KERNEL,
  cyclesLine,
  energyTable,
  comparisonNotes,
  paperSettingLines,
  kernelTable,
  layerTable,
  POWER_PARTS,
  powerLine,
  powerTable,
  reductionTable,
  RESOURCE_KEYS,
  resourceTable,
  ROOFLINE_NOTE,
  rooflineTable,
  summaryTable,
  synthesisLine,
  Table,
  totalTable,
  verificationLine,
  accuracyText,
  proofLine,
} from "./tables.js";

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 0 auto; padding: 1.5rem; max-width: 1100px; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; word-break: break-word; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.55rem; }
th { background: #f2f2f2; }
td.r, th.r { text-align: right; font-variant-numeric: tabular-nums; }
td.l, th.l { text-align: left; }
.verdict { display: inline-block; padding: 0.3rem 0.7rem; border-radius: 4px; font-weight: 600; }
.pass { background: #e3f4e8; color: #145a2a; }
.fail { background: #fbe4e4; color: #8a1010; }
.muted { color: #666; }
figure { margin: 0.8rem 0 1.2rem; }
svg.chart { display: block; width: 100%; max-width: 760px; height: auto; }
code { font-size: 0.9em; }
`;

function renderTable(t: Table): string {
  const cls = (i: number) => (t.align[i] === "right" ? "r" : "l");
  const head = t.headers.every((h) => h === "")
    ? ""
    : `<thead><tr>${t.headers.map((h, i) => `<th class="${cls(i)}">${escapeXml(h)}</th>`).join("")}</tr></thead>`;
  const body = t.rows.map((row) => `<tr>${row.map((cell, i) => `<td class="${cls(i)}">${escapeXml(cell)}</td>`).join("")}</tr>`).join("\n");
  return `<table>${head}<tbody>\n${body}\n</tbody></table>`;
}

const p = (text: string, cls?: string) => `<p${cls ? ` class="${cls}"` : ""}>${escapeXml(text)}</p>`;
const figure = (svg: string) => `<figure>${svg}</figure>`;

function cyclesChart(r: QuantrtlReport): string {
  const layers = r.performance.layers;
  const series = ["ideal", "predicted interval", "predicted latency"];
  const values = layers.map((l) => [l.idealCycles, l.intervalCycles, l.latencyCycles]);
  return barChart({
    id: "cycles",
    title: "Cycles per layer: ideal vs. predicted",
    description: "Ideal cycles (no stall, no fill) beside the cycle model's steady-state interval and one-frame latency for each layer.",
    categories: layers.map((l) => l.name),
    series,
    values,
    labels: values.map((row) => row.map(formatInt)),
  });
}

function resourcesChart(r: QuantrtlReport): string {
  const board = r.board.resources;
  const used = [{ name: "estimate", figures: r.resources.estimate }, ...(r.resources.synthesis ? [{ name: "synthesis", figures: r.resources.synthesis }] : [])];
  const values = RESOURCE_KEYS.map(({ key }) =>
    used.map((u) => {
      const share = boardShare(u.figures[key], board[key]);
      return share === null ? NaN : share * 100;
    }),
  );
  const labels = RESOURCE_KEYS.map(({ key }, k) =>
    used.map((u, s) =>
      Number.isNaN(values[k][s])
        ? `${formatInt(u.figures[key])} (board has none)`
        : `${formatFraction(values[k][s] / 100)} (${formatInt(u.figures[key])} of ${formatInt(board[key])})`,
    ),
  );
  return barChart({
    id: "resources",
    title: `Resource use on ${r.board.title}`,
    description: "Each resource as a percentage of the board's capacity; the dashed line is 100 %.",
    categories: RESOURCE_KEYS.map(({ label }) => label),
    series: used.map((u) => u.name),
    values,
    labels,
    max: 100,
    reference: { value: 100, label: "100 % of board" },
  });
}

function powerChart(r: QuantrtlReport): string {
  const power = r.power;
  if (!power) return "";
  const parts = [...POWER_PARTS.map((part) => ({ label: `dynamic: ${part}`, watts: power.breakdown[part] })), { label: "static", watts: power.staticW }];
  return barChart({
    id: "power",
    title: `Power breakdown (total ${formatWatts(power.totalW)})`,
    description: "Dynamic power per resource class and the device's static power.",
    categories: parts.map((x) => x.label),
    series: ["power"],
    values: parts.map((x) => [x.watts]),
    labels: parts.map((x) => [`${formatWatts(x.watts)} (${power.totalW > 0 ? formatFraction(x.watts / power.totalW) : "—"})`]),
  });
}

function rooflineChart(r: QuantrtlReport): string {
  const points = r.roofline;
  if (!points) return "";
  const roofs = new Map<string, Roof>();
  for (const pt of points) {
    const label = `peak ${formatSig(pt.peak)} GOP/s, ${formatSig(pt.bandwidth)} GB/s`;
    roofs.set(label, { label, peak: pt.peak, bandwidth: pt.bandwidth });
  }
  return logLogScatter({
    id: "roofline",
    title: "Roofline: attained performance vs. arithmetic intensity",
    description: "Attained performance against arithmetic intensity per layer, under the compute roof and the memory-bandwidth slope.",
    xLabel: "intensity (op/byte)",
    yLabel: "performance (GOP/s)",
    points: points.map((pt) => ({ label: pt.name, x: pt.intensity, y: pt.performance })),
    roofs: [...roofs.values()],
  });
}

function comparisonChart(r: QuantrtlReport): string {
  const c = r.comparison;
  if (!c) return "";
  const kernels = Object.entries(c.kernels);
  const metrics: { label: string; value: (k: (typeof kernels)[number][1]) => number; text: (v: number) => string }[] = [
    { label: "LUT", value: (k) => k.lut, text: formatInt },
    { label: "FF", value: (k) => k.ff, text: formatInt },
    { label: "DSP", value: (k) => k.dsp, text: formatInt },
    { label: "BRAM bits", value: (k) => k.bram_bits, text: formatInt },
    { label: "power", value: (k) => k.power_w, text: formatWatts },
    { label: "energy / frame", value: (k) => k.energy_j, text: (v) => formatSi(v, "J") },
    { label: "cycles", value: (k) => k.cycles, text: formatInt },
  ];
  const values = metrics.map((m) => {
    const largest = Math.max(...kernels.map(([, k]) => m.value(k)));
    return kernels.map(([, k]) => (largest > 0 ? m.value(k) / largest : 0));
  });
  return barChart({
    id: "comparison",
    title: "Datapath comparison (each metric relative to its largest)",
    description: `The same network on each datapath; bar length is relative to the largest value of that metric, the label is the value. Baseline: ${BASELINE_KERNEL}.`,
    categories: metrics.map((m) => m.label),
    series: kernels.map(([name]) => name),
    values,
    labels: metrics.map((m) => kernels.map(([, k]) => m.text(m.value(k)))),
    max: 1,
  });
}

export function renderHtml(report: QuantrtlReport): string {
  const body: string[] = [];
  const section = (title: string, ...content: string[]) =>
    body.push(`<section>\n<h2>${escapeXml(title)}</h2>\n${content.filter((x) => x !== "").join("\n")}\n</section>`);

  body.push(`<h1>quantrtl report: ${escapeXml(report.model.name)}</h1>`, renderTable(summaryTable(report)));

  if (report.accuracy) section("Accuracy", p(accuracyText(report.accuracy)));
  const v = report.verification;
  section(
    "Verification",
    ...(v
      ? [
          ...(v.proof ?? []).map((r) => `<p class="verdict ${r.bitExact ? "pass" : "fail"}">${escapeXml(proofLine(r))}</p>`),
          v.proof?.length ? p(`Cycles measured on a further run (${v.vectors} vector(s), no back-pressure):`) : "",
          `<p class="verdict ${v.bitExact ? "pass" : "fail"}">${escapeXml(verificationLine(v))}</p>`,
          p(cyclesLine(v)),
        ]
      : [p("not run", "muted")]),
  );

  section(
    "Performance",
    report.performance.layers.length > 0 ? renderTable(layerTable(report)) : p("no layers", "muted"),
    p(`Whole network at ${formatSig(report.board.clockMHz)} MHz:`),
    renderTable(totalTable(report)),
    figure(cyclesChart(report)),
  );

  section(
    "Resources",
    renderTable(resourceTable(report)),
    p(synthesisLine(report) ?? "Synthesis not run: estimates only.", "muted"),
    figure(resourcesChart(report)),
  );

  const power = powerTable(report);
  section("Power", ...(power ? [p(powerLine(report) ?? ""), renderTable(power), figure(powerChart(report))] : [p("not estimated", "muted")]));

  const energy = energyTable(report);
  if (energy) section("Energy (45 nm per-operation model)", renderTable(energy));

  const roofline = rooflineTable(report);
  if (roofline) section("Roofline", p(ROOFLINE_NOTE), renderTable(roofline), figure(rooflineChart(report)));

  const c = report.comparison;
  if (c) {
    section(
      "Datapath comparison",
      ...paperSettingLines(c).map((line) => p(line)),
      renderTable(reductionTable(c)),
      renderTable(kernelTable(c)),
      ...comparisonNotes(c).map((note) => p(note, "muted")),
      figure(comparisonChart(report)),
      c.kernels[BASELINE_KERNEL] ? "" : p(`No ${BASELINE_KERNEL} kernel in the comparison, so no reductions of ours are computed.`, "muted"),
    );
  }

  if (report.boardFiles?.length) {
    section(
      "Board files",
      ...report.boardFiles.map((b) => {
        // report.html sits in <out>/report/: the files are one folder up
        const links = b.files.map((f) => `<a href="${escapeXml(`../${b.dir}/${f}`)}"><code>${escapeXml(f)}</code></a>`).join(", ");
        return `<p>${escapeXml(b.what)}, in <code>${escapeXml(b.dir)}/</code>: ${links}</p>`;
      }),
    );
  }

  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${escapeXml(report.generator)}">`,
    `<title>quantrtl report: ${escapeXml(report.model.name)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
