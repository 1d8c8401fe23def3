/**
 * Number formatting shared by the Markdown and HTML writers, so both print the
 * same figure the same way (fixed "en-US" grouping: reports must not depend on
 * the machine's locale).
 */

const groupers = new Map<number, Intl.NumberFormat>();

function grouper(digits: number): Intl.NumberFormat {
  let f = groupers.get(digits);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
    groupers.set(digits, f);
  }
  return f;
}

/** 1234567 → "1,234,567". */
export function formatInt(value: number): string {
  return grouper(0).format(Math.round(value));
}

/** Fixed decimals with grouping: (1234.567, 1) → "1,234.6". */
export function formatFixed(value: number, digits: number): string {
  return grouper(digits).format(value);
}

/** A fraction as a percentage: 0.1234 → "12.3 %". */
export function formatFraction(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return "—";
  return `${formatFixed(fraction * 100, digits)} %`;
}

/** A percentage with its sign: 12.34 → "+12.3 %", −5 → "−5.0 %". */
export function formatSignedPct(pct: number | null, digits = 1): string {
  if (pct === null || !Number.isFinite(pct)) return "—";
  const text = formatFixed(Math.abs(pct), digits);
  if (Number(text.replace(/,/g, "")) === 0) return `${text} %`;
  return `${pct > 0 ? "+" : "−"}${text} %`;
}

const SI = [
  { exp: -15, prefix: "f" },
  { exp: -12, prefix: "p" },
  { exp: -9, prefix: "n" },
  { exp: -6, prefix: "µ" },
  { exp: -3, prefix: "m" },
  { exp: 0, prefix: "" },
  { exp: 3, prefix: "k" },
  { exp: 6, prefix: "M" },
  { exp: 9, prefix: "G" },
];

/** A value in a base unit with an SI prefix and 3 significant digits: (0.01234, "W") → "12.3 mW". */
export function formatSi(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "—";
  if (value === 0) return `0 ${unit}`;
  const exp = Math.floor(Math.log10(Math.abs(value)) / 3) * 3;
  const step = SI.find((s) => s.exp === Math.min(9, Math.max(-15, exp))) ?? SI[5];
  const scaled = value / 10 ** step.exp;
  return `${Number(scaled.toPrecision(3))} ${step.prefix}${unit}`;
}

/** Watts, e.g. "123 mW" or "1.25 W". */
export function formatWatts(watts: number): string {
  return formatSi(watts, "W");
}

/** Picojoules given in pJ, printed with the best prefix: 1.5e6 pJ → "1.5 µJ". */
export function formatPicojoules(picojoules: number): string {
  return formatSi(picojoules * 1e-12, "J");
}

/** Three significant digits, grouped when large: 0.01234 → "0.0123", 123456 → "123,456". */
export function formatSig(value: number): string {
  if (!Number.isFinite(value)) return "—";
  if (Math.abs(value) >= 1000) return formatInt(value);
  return String(Number(value.toPrecision(3)));
}

/** Signed error of an estimate against a measurement, percent of the measurement; null when undefined (measured 0, estimate not 0). */
export function estimateErrorPct(estimate: number, measured: number): number | null {
  if (measured === 0) return estimate === 0 ? 0 : null;
  return ((estimate - measured) / measured) * 100;
}

/** used / capacity; null when the board has none of this resource. */
export function boardShare(used: number, capacity: number): number | null {
  if (capacity <= 0) return used === 0 ? 0 : null;
  return used / capacity;
}

/** Share of the board as text, "—" when the board has none. */
export function formatShare(used: number, capacity: number): string {
  const share = boardShare(used, capacity);
  return share === null ? "— (board has none)" : formatFraction(share);
}
