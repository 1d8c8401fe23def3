/**
 * Uniqueness of the names a design is made of. Every name is claimed by the unit
 * whose identifier it is built from (a layer by index, -1 for the top's fixed
 * names), in one of three spaces: the top's nets and instances, the Verilog
 * modules of the design (one global space per compilation), and the files of
 * rtl/ (compared without case: two names that differ only in case are one file
 * on macOS and Windows). Layer identifiers are `[A-Za-z0-9_]` and every generated
 * name has a prefix (`u_`, `s_`, `<model>_`), so a layer named `reg`, `module`
 * or `mvu` yields `u_reg`, `<model>_module_layer`, ...: never a keyword or a
 * fixed name. What remains are names of two layers meeting; firstClash finds them.
 */

export type NameSpace = "top" | "module" | "file";

export interface NameClaim {
  readonly space: NameSpace;
  readonly name: string;
  /** Layer index whose identifier the name is built from; -1 = fixed (ports, the top module). */
  readonly owner: number;
}

/** Ports of every top, and the harness's own module (compiled beside the design by Icarus). */
export const PORTS = ["clk", "rst", "in_valid", "in_ready", "in_data", "out_valid", "out_ready", "out_data"];
const HARNESS_MODULES = ["quantrtl_tb"];

/** Claims a generated file: its path and the modules it declares. */
export function claimFile(claims: NameClaim[], owner: number, file: string, content: string): void {
  claims.push({ space: "file", name: file.toLowerCase(), owner });
  if (!file.endsWith(".v")) return;
  for (const m of content.matchAll(/^\s*module\s+([A-Za-z_][A-Za-z0-9_$]*)/gm)) claims.push({ space: "module", name: m[1], owner });
}

export interface NameClash {
  readonly space: NameSpace;
  readonly name: string;
  /** The two claimants, earlier first. */
  readonly owners: readonly [number, number];
}

/** The first name (in claim order) claimed twice, or undefined when all are unique. */
export function firstClash(claims: readonly NameClaim[]): NameClash | undefined {
  const seen = new Map<string, number>(HARNESS_MODULES.map((m) => [`module:${m}`, -1]));
  for (const c of claims) {
    const key = `${c.space}:${c.name}`;
    const previous = seen.get(key);
    if (previous !== undefined) return { space: c.space, name: c.name, owners: [Math.min(previous, c.owner), Math.max(previous, c.owner)] };
    seen.set(key, c.owner);
  }
  return undefined;
}

/** The identifier of a layer renamed `bumps` times: its sanitized name with `_2`, `_3`, ... */
export function bumpedIdentifier(base: string, bumps: number): string {
  return bumps === 0 ? base : `${base}_${bumps + 1}`;
}
