/**
 * The process table read from /proc, for the tests that check what quantrtl
 * leaves running: independent of quantrtl's own bookkeeping (util/interrupt.ts).
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** R, S, D, Z (zombie: ended, waiting to be reaped), … */
  readonly state: string;
  readonly comm: string;
  readonly cmdline: readonly string[];
}

export function processTable(): ProcessEntry[] {
  const table: ProcessEntry[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
      table.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid), state, comm, cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** Running (not zombie) descendants of `pid`. */
export function descendants(pid: number, table = processTable()): ProcessEntry[] {
  const found: ProcessEntry[] = [];
  let parents = new Set([pid]);
  while (parents.size > 0) {
    const next = table.filter((p) => parents.has(p.ppid) && p.state !== "Z");
    found.push(...next);
    parents = new Set(next.map((p) => p.pid));
  }
  return found;
}

/** Running (not zombie) processes in any of the process groups `pgids`. */
export function inGroups(pgids: Iterable<number>): ProcessEntry[] {
  const set = new Set(pgids);
  return processTable().filter((p) => set.has(p.pgid) && p.state !== "Z");
}

/** Waits (polling) until `check` holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => boolean, ms: number, everyMs = 50): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}
