/**
 * A tiny inline-SVG chart kit for the HTML report: horizontal (grouped) bars and
 * a log-log scatter with roofline roofs. Pure functions from data to SVG text;
 * every piece of text is escaped, nothing is fetched. Each chart is one <svg>
 * carrying data-chart="<id>" and a <title>, so tests and readers can find it.
 */

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 760;
const FONT = 12;
/** Colour-blind-safe series colours (Okabe–Ito). */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

/** Text and attribute values for HTML and SVG: the five characters that can end or open markup. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** Labels are clipped to a character budget (SVG has no text wrapping); the full text stays in a tooltip. */
function clip(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, Math.max(1, chars - 1))}…`;
}

const n = (value: number) => String(Math.round(value * 10) / 10);

function svgOpen(id: string, title: string, height: number, description?: string): string {
  const desc = description ? `<desc>${escapeXml(description)}</desc>` : "";
  return (
    `<svg xmlns="${SVG_NS}" class="chart" data-chart="${escapeXml(id)}" role="img" viewBox="0 0 ${WIDTH} ${n(height)}" ` +
    `font-family="sans-serif" font-size="${FONT}"><title>${escapeXml(title)}</title>${desc}` +
    `<text x="0" y="16" font-size="14" font-weight="bold">${escapeXml(title)}</text>`
  );
}

function legend(names: readonly string[], y: number): string {
  let x = 0;
  return names
    .map((name, i) => {
      const item = `<rect x="${n(x)}" y="${n(y - 10)}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="${n(x + 16)}" y="${n(y)}">${escapeXml(name)}</text>`;
      x += 28 + name.length * 7;
      return item;
    })
    .join("");
}

function emptyChart(id: string, title: string): string {
  return `${svgOpen(id, title, 50)}<text x="0" y="40" fill="#666">no data</text></svg>`;
}

export interface BarChartSpec {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  /** One group of bars per category (a layer, a resource, …). */
  readonly categories: readonly string[];
  /** Series names; a single series draws no legend. */
  readonly series: readonly string[];
  /** values[category][series], ≥ 0; NaN draws no bar. */
  readonly values: readonly (readonly number[])[];
  /** Text beside each bar (defaults to the value); same shape as values. */
  readonly labels?: readonly (readonly string[])[];
  /** Value at the right end of the axis (defaults to the largest value). */
  readonly max?: number;
  /** A dashed vertical line, e.g. 100 % of the board. */
  readonly reference?: { readonly value: number; readonly label: string };
}

/** Horizontal bars, grouped by category, one colour per series. */
export function barChart(spec: BarChartSpec): string {
  const { id, title, categories, series, values } = spec;
  if (categories.length === 0 || series.length === 0) return emptyChart(id, title);
  const labelWidth = 150;
  const valueWidth = 170;
  const plotWidth = WIDTH - labelWidth - valueWidth;
  const barHeight = 14;
  const groupGap = 10;
  const top = (series.length > 1 ? 46 : 30) + (spec.reference ? 14 : 0);
  const groupHeight = series.length * barHeight + groupGap;
  const height = top + categories.length * groupHeight + 8;
  const finite = values.flat().filter((v) => Number.isFinite(v));
  const max = Math.max(spec.max ?? 0, spec.reference?.value ?? 0, ...finite, Number.MIN_VALUE);
  const scale = (v: number) => (Math.max(0, v) / max) * plotWidth;

  const parts: string[] = [svgOpen(id, title, height, spec.description)];
  if (series.length > 1) parts.push(legend(series, 38));
  categories.forEach((category, c) => {
    const y0 = top + c * groupHeight;
    const centre = y0 + (series.length * barHeight) / 2 + 4;
    parts.push(`<text x="${labelWidth - 8}" y="${n(centre)}" text-anchor="end"><title>${escapeXml(category)}</title>${escapeXml(clip(category, 22))}</text>`);
    series.forEach((name, s) => {
      const value = values[c]?.[s] ?? NaN;
      const y = y0 + s * barHeight;
      const text = spec.labels?.[c]?.[s] ?? (Number.isFinite(value) ? String(value) : "");
      const width = Number.isFinite(value) ? scale(value) : 0;
      parts.push(
        `<rect x="${labelWidth}" y="${n(y)}" width="${n(width)}" height="${barHeight - 2}" fill="${PALETTE[s % PALETTE.length]}">` +
          `<title>${escapeXml(`${category} — ${name}: ${text}`)}</title></rect>` +
          `<text x="${n(labelWidth + width + 4)}" y="${n(y + barHeight - 3)}" font-size="11">${escapeXml(text)}</text>`,
      );
    });
  });
  parts.push(`<line x1="${labelWidth}" y1="${top - 4}" x2="${labelWidth}" y2="${n(height - 8)}" stroke="#444"/>`);
  if (spec.reference) {
    const x = labelWidth + scale(spec.reference.value);
    parts.push(
      `<line x1="${n(x)}" y1="${top - 4}" x2="${n(x)}" y2="${n(height - 8)}" stroke="#B00" stroke-dasharray="4 3"/>` +
        `<text x="${n(x)}" y="${top - 8}" text-anchor="middle" font-size="11" fill="#B00">${escapeXml(spec.reference.label)}</text>`,
    );
  }
  parts.push("</svg>");
  return parts.join("");
}

export interface ScatterPoint {
  readonly label: string;
  readonly x: number;
  readonly y: number;
}

/** A roofline roof: y = min(peak, bandwidth · x); bandwidth 0 draws the flat roof only. */
export interface Roof {
  readonly label: string;
  readonly peak: number;
  readonly bandwidth: number;
}

export interface LogScatterSpec {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly points: readonly ScatterPoint[];
  readonly roofs?: readonly Roof[];
}

/** 1000 → "1k", 0.01 → "0.01": tick text for powers of ten. */
function decadeLabel(exp: number): string {
  if (exp >= 9) return `${10 ** (exp - 9)}G`;
  if (exp >= 6) return `${10 ** (exp - 6)}M`;
  if (exp >= 3) return `${10 ** (exp - 3)}k`;
  return exp >= 0 ? String(10 ** exp) : `0.${"0".repeat(-exp - 1)}1`;
}

/** Log-log scatter with roofline roofs (points with a non-positive coordinate cannot sit on a log axis and are listed instead). */
export function logLogScatter(spec: LogScatterSpec): string {
  const { id, title } = spec;
  const roofs = spec.roofs ?? [];
  const plotted = spec.points.filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.x) && Number.isFinite(p.y));
  const skipped = spec.points.filter((p) => !plotted.includes(p));
  const goodRoofs = roofs.filter((r) => r.peak > 0 && Number.isFinite(r.peak));
  if (plotted.length === 0 && goodRoofs.length === 0) return emptyChart(id, title);

  const xs = [...plotted.map((p) => p.x), ...goodRoofs.filter((r) => r.bandwidth > 0).map((r) => r.peak / r.bandwidth)];
  const ys = [...plotted.map((p) => p.y), ...goodRoofs.map((r) => r.peak)];
  const decade = (v: number, f: "floor" | "ceil") => Math[f](Math.log10(v));
  let x0 = decade(Math.min(...(xs.length ? xs : [1])), "floor");
  let x1 = decade(Math.max(...(xs.length ? xs : [1])), "ceil");
  let y0 = decade(Math.min(...ys), "floor");
  let y1 = decade(Math.max(...ys), "ceil");
  if (x1 - x0 < 2) ((x0 -= 1), (x1 += 1));
  if (y1 - y0 < 2) ((y0 -= 1), (y1 += 1));

  const left = 70;
  const right = WIDTH - 20;
  const top = 46 + 16 * Math.max(0, goodRoofs.length - 1);
  const bottom = top + 340;
  const height = bottom + 50 + (skipped.length > 0 ? 16 : 0);
  const px = (v: number) => left + ((Math.log10(v) - x0) / (x1 - x0)) * (right - left);
  const py = (v: number) => bottom - ((Math.log10(v) - y0) / (y1 - y0)) * (bottom - top);
  const clipId = `clip-${id.replace(/[^A-Za-z0-9_-]/g, "_")}`;

  const parts: string[] = [svgOpen(id, title, height, spec.description)];
  parts.push(`<defs><clipPath id="${escapeXml(clipId)}"><rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/></clipPath></defs>`);
  for (let e = x0; e <= x1; e++) {
    const x = px(10 ** e);
    parts.push(
      `<line x1="${n(x)}" y1="${top}" x2="${n(x)}" y2="${bottom}" stroke="#ddd"/><text x="${n(x)}" y="${bottom + 16}" text-anchor="middle">${decadeLabel(e)}</text>`,
    );
  }
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    parts.push(
      `<line x1="${left}" y1="${n(y)}" x2="${right}" y2="${n(y)}" stroke="#ddd"/><text x="${left - 6}" y="${n(y + 4)}" text-anchor="end">${decadeLabel(e)}</text>`,
    );
  }
  parts.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#444"/>`);
  parts.push(`<text x="${(left + right) / 2}" y="${bottom + 36}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`);

  const xMin = 10 ** x0;
  const xMax = 10 ** x1;
  goodRoofs.forEach((roof, i) => {
    const colour = PALETTE[(i + 1) % PALETTE.length];
    const roofAt = (x: number) => (roof.bandwidth > 0 ? Math.min(roof.peak, roof.bandwidth * x) : roof.peak);
    const ridge = roof.bandwidth > 0 ? Math.min(Math.max(roof.peak / roof.bandwidth, xMin), xMax) : xMin;
    const corners = [xMin, ridge, xMax].map((x) => [x, roofAt(x)] as const);
    const path = corners.map(([x, y]) => `${n(px(x))},${n(py(y))}`).join(" ");
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2" clip-path="url(#${escapeXml(clipId)})"><title>${escapeXml(roof.label)}</title></polyline>`,
    );
    parts.push(
      `<line x1="${left + 6}" y1="${34 + 16 * i}" x2="${left + 26}" y2="${34 + 16 * i}" stroke="${colour}" stroke-width="2"/><text x="${left + 30}" y="${38 + 16 * i}">${escapeXml(roof.label)}</text>`,
    );
  });
  plotted.forEach((p) => {
    const x = px(p.x);
    const y = py(p.y);
    parts.push(
      `<circle cx="${n(x)}" cy="${n(y)}" r="5" fill="${PALETTE[0]}" stroke="#fff"><title>${escapeXml(`${p.label}: ${p.x} ${spec.xLabel}, ${p.y} ${spec.yLabel}`)}</title></circle>` +
        `<text x="${n(x + 8)}" y="${n(y - 6)}" font-size="11">${escapeXml(clip(p.label, 24))}</text>`,
    );
  });
  if (skipped.length > 0) {
    parts.push(`<text x="0" y="${height - 6}" fill="#666">not plotted (zero on a log axis): ${escapeXml(skipped.map((p) => p.label).join(", "))}</text>`);
  }
  parts.push("</svg>");
  return parts.join("");
}
