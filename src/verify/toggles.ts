/**
 * Toggle rate from a VCD written by the simulation of real vectors: the fraction
 * of signal bits that change per clock cycle, over every traced signal except
 * the clock (which toggles twice per cycle by definition). Feeds the power model
 * in place of its default rate.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

export interface ToggleStats {
  /** Bit changes per bit per cycle, in [0, 1]. */
  readonly rate: number;
  readonly bits: number;
  readonly cycles: number;
  readonly changes: number;
  /** Cycles of the whole run, when the trace reached its size bound and covers only the first `cycles`. */
  readonly runCycles?: number;
}

/** The VCD's time unit in seconds, from its $timescale (e.g. "1ps" → 1e-12). */
export function vcdTimescale(vcd: string): number {
  const m = /\$timescale\s+(\d+)\s*(s|ms|us|ns|ps|fs)\s*\$end/.exec(vcd);
  if (!m) return 1e-12;
  const unit: Record<string, number> = { s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9, ps: 1e-12, fs: 1e-15 };
  return Number(m[1]) * unit[m[2]];
}

/** Parses a VCD (as Verilator and Icarus write it) and measures its toggle rate. `periodTime` is one clock period in VCD time units. */
export function vcdToggleRate(vcd: string | Iterable<string>, periodTime: number): ToggleStats {
  const width = new Map<string, number>();
  const clockIds = new Set<string>();
  const last = new Map<string, string>();
  let changes = 0;
  let endTime = 0;
  let inDefinitions = true;
  for (const rawLine of typeof vcd === "string" ? vcd.split("\n") : vcd) {
    const line = rawLine.trim();
    if (line === "") continue;
    if (inDefinitions) {
      if (line.startsWith("$var")) {
        // $var wire 8 # in_data [7:0] $end
        const parts = line.split(/\s+/);
        const bits = Number(parts[2]);
        const id = parts[3];
        const name = parts[4];
        if (name === "clk") clockIds.add(id);
        if (!width.has(id)) width.set(id, bits);
      } else if (line.startsWith("$enddefinitions")) {
        inDefinitions = false;
      }
      continue;
    }
    if (line[0] === "#") {
      endTime = Number(line.slice(1));
      continue;
    }
    if (line[0] === "$") continue; // $dumpvars / $end blocks: values inside are initial, counted as the first value
    let id: string;
    let value: string;
    if (line[0] === "b" || line[0] === "B") {
      const space = line.indexOf(" ");
      value = line.slice(1, space);
      id = line.slice(space + 1);
    } else {
      value = line[0];
      id = line.slice(1);
    }
    if (clockIds.has(id) || !width.has(id)) continue;
    const bits = width.get(id)!;
    const next = value.padStart(bits, value[0] === "1" ? "0" : value[0]);
    const prev = last.get(id);
    if (prev !== undefined) {
      for (let i = 0; i < bits; i++) if (prev[i] !== next[i]) changes++;
    }
    last.set(id, next);
  }
  let bits = 0;
  for (const [id, w] of width) if (!clockIds.has(id)) bits += w;
  const cycles = Math.max(1, Math.round(endTime / periodTime));
  return { rate: bits > 0 ? changes / (bits * cycles) : 0, bits, cycles, changes };
}

/** The lines of a file read in 1 MiB chunks: a large design's VCD outgrows the longest string V8 can hold (512 MiB). */
export function* fileLines(file: string): Generator<string> {
  const fd = openSync(file, "r");
  const chunk = Buffer.alloc(1 << 20);
  const decoder = new StringDecoder("utf8");
  let rest = "";
  try {
    for (;;) {
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      const lines = (rest + decoder.write(chunk.subarray(0, got))).split("\n");
      rest = lines.pop()!;
      yield* lines;
    }
    rest += decoder.end();
    if (rest !== "") yield rest;
  } finally {
    closeSync(fd);
  }
}

/** The first `bytes` of a file as text. */
export function readHead(file: string, bytes: number): string {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
