/** Printing helpers of the CLI: progress lines on stderr, tables and percentages on stdout. */
import { QuantrtlError } from "../util/errors.js";

export function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "n/a";
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

const started = Date.now();
export function progress(message: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
}

export function shape(t: { height: number; width: number; channels: number; bits: number }): string {
  return `${t.height}x${t.width}x${t.channels} int${t.bits === 1 ? "1 (+/-1)" : t.bits}`;
}

/**
 * The flag a command reads when `name` has a deprecated alias: `name` itself, or the alias
 * (with a one-line warning on stderr); both given is an error.
 */
export function deprecatedAlias(args: { flags: Map<string, string | true> }, name: string, alias: string): string {
  if (!args.flags.has(alias)) return name;
  if (args.flags.has(name)) throw new QuantrtlError(undefined, `--${alias}`, `is the old name of --${name}, which is given too`, `give --${name} only`);
  process.stderr.write(`warning: --${alias} is deprecated, use --${name}\n`);
  return alias;
}
