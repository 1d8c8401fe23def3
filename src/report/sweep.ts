/**
 * The sweep's files: sweep.json, sweep.csv (one row per point) and a self-contained
 * sweep.html with the Pareto fronts (frames/s against LUT, against power) as SVG
 * scatter plots, the dominated points grey. Rendering is pure; writeSweep stages the
 * folder and renames it into place (util/atomic.ts), as writeReport does.
 */
import { join } from "node:path";
import { stageDir, writeFiles } from "../util/atomic.js";
import type { OutputOptions } from "../util/output.js";
import { escapeXml, PALETTE } from "./svg.js";
import type { SweepPointResult, SweepResult } from "./sweep-types.js";

const CSV_COLUMNS = [
  "id",
  "board",
  "datapath",
  "bits",
  "pe",
  "simd",
  "cycles",
  "intervalCycles",
  "framesPerSecond",
  "exact",
  "lut",
  "ff",
  "dsp",
  "bramBits",
  "powerW",
  "fits",
  "source",
  "pareto",
  "paretoLut",
  "paretoPower",
] as const;

/** Columns computed from a point's nested records: its proof and its accuracy. */
const DERIVED_COLUMNS: readonly [string, (p: SweepPointResult) => unknown][] = [
  ["bitExact", (p) => p.proof?.bitExact],
  ["designDir", (p) => p.proof?.designDir],
  ["integerTop1", (p) => (p.accuracy && "integerTop1" in p.accuracy ? p.accuracy.integerTop1 : undefined)],
];

export function renderSweepCsv(result: SweepResult): string {
  const cell = (v: unknown) => (v === null || v === undefined ? "" : String(v));
  const rows = result.points.map((p) => [...CSV_COLUMNS.map((c) => cell(p[c])), ...DERIVED_COLUMNS.map(([, f]) => cell(f(p)))].join(","));
  return [[...CSV_COLUMNS, ...DERIVED_COLUMNS.map(([name]) => name)].join(","), ...rows].join("\n") + "\n";
}

/** A point's accuracy as the page shows it: "99.06 %" or "n/a (reason)"; empty without --dataset. */
export function accuracyText(p: SweepPointResult): string {
  if (!p.accuracy) return "";
  return "integerTop1" in p.accuracy ? `${(p.accuracy.integerTop1 * 100).toFixed(2)} %` : `n/a (${p.accuracy.notMeasured})`;
}

/** A point's short name: "pynq-z2 adder 8b pe 2 simd 8". */
export function pointLabel(p: SweepPointResult): string {
  return `${p.board} ${p.datapath} ${p.bits}b pe ${p.pe ?? "model"} simd ${p.simd ?? "model"}`;
}

interface ScatterSpec {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly x: (p: SweepPointResult) => number;
  readonly onFront: (p: SweepPointResult) => boolean;
}

const WIDTH = 760;
const HEIGHT = 420;
const r1 = (v: number) => String(Math.round(v * 10) / 10);

/** Decade ticks of a log axis spanning [lo, hi]. */
function logRange(values: readonly number[]): [number, number] {
  const lo = Math.floor(Math.log10(Math.min(...values)));
  let hi = Math.ceil(Math.log10(Math.max(...values)));
  if (hi === lo) hi = lo + 1;
  return [lo, hi];
}

/** Frames/s (y, log) against a cost (x, log): front points coloured by datapath and joined, the rest grey; boards by shape. */
export function paretoScatter(points: readonly SweepPointResult[], spec: ScatterSpec): string {
  const shown = points.filter((p) => spec.x(p) > 0 && p.framesPerSecond > 0);
  const head = `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeXml(spec.id)}" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12"><title>${escapeXml(spec.title)}</title><text x="0" y="16" font-size="14" font-weight="bold">${escapeXml(spec.title)}</text>`;
  if (shown.length === 0) return `${head}<text x="0" y="40" fill="#666">no data</text></svg>`;
  const [x0, x1] = logRange(shown.map(spec.x));
  const [y0, y1] = logRange(shown.map((p) => p.framesPerSecond));
  const left = 70;
  const right = WIDTH - 20;
  const top = 40;
  const bottom = HEIGHT - 60;
  const px = (v: number) => left + ((Math.log10(v) - x0) / (x1 - x0)) * (right - left);
  const py = (v: number) => bottom - ((Math.log10(v) - y0) / (y1 - y0)) * (bottom - top);
  const parts = [head];
  for (let e = x0; e <= x1; e++)
    parts.push(
      `<line x1="${r1(px(10 ** e))}" y1="${top}" x2="${r1(px(10 ** e))}" y2="${bottom}" stroke="#ddd"/><text x="${r1(px(10 ** e))}" y="${bottom + 16}" text-anchor="middle">1e${e}</text>`,
    );
  for (let e = y0; e <= y1; e++)
    parts.push(
      `<line x1="${left}" y1="${r1(py(10 ** e))}" x2="${right}" y2="${r1(py(10 ** e))}" stroke="#ddd"/><text x="${left - 6}" y="${r1(py(10 ** e) + 4)}" text-anchor="end">1e${e}</text>`,
    );
  parts.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#444"/>`);
  parts.push(`<text x="${(left + right) / 2}" y="${bottom + 36}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">frames/s</text>`);
  const front = shown.filter(spec.onFront).sort((a, b) => spec.x(a) - spec.x(b));
  if (front.length > 1)
    parts.push(
      `<polyline points="${front.map((p) => `${r1(px(spec.x(p)))},${r1(py(p.framesPerSecond))}`).join(" ")}" fill="none" stroke="#444" stroke-dasharray="4 3"/>`,
    );
  const datapaths = [...new Set(points.map((p) => p.datapath))];
  const boards = [...new Set(points.map((p) => p.board))];
  // dominated points first, so the front is drawn over them
  for (const p of [...shown.filter((q) => !spec.onFront(q)), ...front]) {
    const on = spec.onFront(p);
    const colour = on ? PALETTE[datapaths.indexOf(p.datapath) % PALETTE.length] : "#bbb";
    const x = px(spec.x(p));
    const y = py(p.framesPerSecond);
    const shape =
      boards.indexOf(p.board) % 2 === 0 ? `<circle cx="${r1(x)}" cy="${r1(y)}" r="5"` : `<rect x="${r1(x - 5)}" y="${r1(y - 5)}" width="10" height="10"`;
    const status = on ? "on the front" : p.fits ? "dominated" : "does not fit";
    parts.push(
      `${shape} fill="${colour}" class="${on ? "front" : "dominated"}"><title>${escapeXml(`${pointLabel(p)}: ${p.framesPerSecond.toFixed(1)} frames/s, ${spec.xLabel} ${spec.x(p)} (${status})`)}</title>${shape.startsWith("<circle") ? "</circle>" : "</rect>"}`,
    );
  }
  let lx = left;
  for (const [i, d] of datapaths.entries()) {
    parts.push(
      `<rect x="${lx}" y="${HEIGHT - 14}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${lx + 14}" y="${HEIGHT - 5}">${escapeXml(d)}</text>`,
    );
    lx += 30 + d.length * 7;
  }
  parts.push(`<rect x="${lx}" y="${HEIGHT - 14}" width="10" height="10" fill="#bbb"/><text x="${lx + 14}" y="${HEIGHT - 5}">dominated or does not fit</text>`);
  if (boards.length > 1)
    parts.push(`<text x="${lx + 200}" y="${HEIGHT - 5}">${escapeXml(boards.map((b, i) => `${b}: ${i % 2 === 0 ? "circle" : "square"}`).join(", "))}</text>`);
  parts.push("</svg>");
  return parts.join("");
}

export function renderSweepHtml(result: SweepResult): string {
  const withAccuracy = result.points.some((p) => p.accuracy);
  const withProof = result.points.some((p) => p.proof);
  const rows = result.points
    .map((p) => {
      const cells = [
        p.board,
        p.datapath,
        p.bits,
        p.pe ?? "model",
        p.simd ?? "model",
        p.cycles,
        p.framesPerSecond.toFixed(1),
        p.lut,
        p.ff,
        p.dsp,
        p.bramBits,
        p.powerW.toFixed(3),
        p.fits ? "yes" : `no (${p.over.join(", ")})`,
        p.source,
        ...(withAccuracy ? [accuracyText(p)] : []),
        p.pareto ? "yes" : "",
      ];
      const proof = p.proof
        ? `<td><a href="${escapeXml(p.proof.designDir)}/">${escapeXml(p.proof.bitExact ? "bit-exact" : `NOT bit-exact: ${p.proof.firstMismatch ?? ""}`)}</a></td>`
        : withProof
          ? "<td></td>"
          : "";
      return `<tr${p.pareto ? "" : ' class="dominated"'}>${cells.map((c) => `<td>${escapeXml(String(c))}</td>`).join("")}${proof}</tr>`;
    })
    .join("\n");
  const na = result.notApplicable.map((p) => `<li>${escapeXml(`${p.board} ${p.datapath} ${p.bits}b: ${p.reason}`)}</li>`).join("");
  const header = [
    "board",
    "datapath",
    "bits",
    "pe",
    "simd",
    "cycles",
    "frames/s",
    "LUT",
    "FF",
    "DSP",
    "BRAM bits",
    "power W",
    "fits",
    "source",
    ...(withAccuracy ? ["top-1"] : []),
    "Pareto",
    ...(withProof ? ["proof (design folder)"] : []),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(`sweep: ${result.model.name}`)}</title>
<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}tr.dominated{color:#999}svg{max-width:100%;height:auto;margin:1em 0}</style>
</head><body>
<h1>${escapeXml(`Design-space sweep of ${result.model.name}`)}</h1>
<p>${escapeXml(`${result.points.length} points (quantrtl ${result.version}, model hash ${result.model.hash}). Pareto: no point that fits its board has more frames/s with no more LUT or power. Dominated points and points that do not fit are grey.`)}</p>
${paretoScatter(result.points, { id: "fps-lut", title: "frames/s against LUT", xLabel: "LUT", x: (p) => p.lut, onFront: (p) => p.paretoLut })}
${paretoScatter(result.points, { id: "fps-power", title: "frames/s against power", xLabel: "power W", x: (p) => p.powerW, onFront: (p) => p.paretoPower })}
<table><thead><tr>${header.map((h) => `<th>${escapeXml(h)}</th>`).join("")}</tr></thead><tbody>
${rows}
</tbody></table>
${na ? `<h2>Not built</h2><ul>${na}</ul>` : ""}
</body></html>
`;
}

export const SWEEP_FILES = ["sweep.json", "sweep.csv", "sweep.html"];

export interface SweepPaths {
  readonly dir: string;
  readonly json: string;
  readonly csv: string;
  readonly html: string;
}

/** A sweep's output folder while the points run: proved points leave their design folders in `pointsDir`. */
export interface OpenSweep {
  readonly pointsDir: string;
  /** Writes the three files beside the design folders and renames the folder into place. */
  write(result: SweepResult): SweepPaths;
  /** Removes the staged folder (the sweep failed). */
  discard(): void;
}

/** Stages `dir` (refusing a folder of the user's, util/output.ts) before the points run, so a refusal comes first and the proofs write into it. */
export function openSweep(dir: string, model: { readonly name: string; readonly hash: string }, options: OutputOptions = {}): OpenSweep {
  const staged = stageDir(dir, { knownFiles: SWEEP_FILES, ...options, owner: { model: model.name, modelHash: model.hash } });
  return {
    pointsDir: join(staged.path, "points"),
    write(result) {
      let dest: string;
      try {
        writeFiles(staged.path, [
          { path: "sweep.json", content: JSON.stringify(result, null, 2) + "\n" },
          { path: "sweep.csv", content: renderSweepCsv(result) },
          { path: "sweep.html", content: renderSweepHtml(result) },
        ]);
        dest = staged.commit();
      } catch (error) {
        staged.discard();
        throw staged.explain(error);
      }
      return { dir: dest, json: join(dest, "sweep.json"), csv: join(dest, "sweep.csv"), html: join(dest, "sweep.html") };
    },
    discard: () => staged.discard(),
  };
}

/** Replaces `dir` with a folder holding the three sweep files. */
export function writeSweep(dir: string, result: SweepResult, options: OutputOptions = {}): SweepPaths {
  return openSweep(dir, result.model, options).write(result);
}
