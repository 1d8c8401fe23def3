/**
 * `verify --rtl DIR`: RTL that quantrtl did not write this run (hand-edited, or
 * from another tool) with the interface `gen` gives it — the top `<model>_top`
 * with clk, rst, in_* and out_* streams — checked against the model's golden
 * words. DIR is either a folder as `gen --out` writes it (DIR/rtl/files.f) or
 * that rtl folder itself (DIR/files.f); files.f lists the Verilog sources in
 * compile order, relative to its folder. The folder is copied into the proof's
 * own work folder, so nothing is written into the user's.
 */
import { cpSync, existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, normalize, resolve } from "node:path";
import { QuantrtlError } from "../util/errors.js";

/** The folder holding files.f: DIR/rtl when gen's layout, else DIR. */
export function resolveRtlDir(dir: string): string {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new QuantrtlError(undefined, "--rtl", `"${dir}" is not a folder`, "point --rtl at a folder gen wrote (holding rtl/files.f) or at its rtl folder");
  }
  for (const candidate of [join(root, "rtl"), root]) if (existsSync(join(candidate, "files.f"))) return candidate;
  throw new QuantrtlError(
    undefined,
    "--rtl",
    `"${dir}" holds neither files.f nor rtl/files.f`,
    "point --rtl at a folder gen wrote (holding rtl/files.f) or at its rtl folder",
  );
}

/** The sources files.f lists (one per line; blank lines and // comments skipped), relative to its folder. */
export function readFileList(rtlDir: string): string[] {
  const listFile = join(rtlDir, "files.f");
  const sources = readFileSync(listFile, "utf8")
    .split("\n")
    .map((l) => l.replace(/\/\/.*$/, "").trim())
    .filter((l) => l !== "");
  for (const s of sources) {
    const bad =
      s.startsWith("-") || s.startsWith("+")
        ? "is a tool option, not a file"
        : isAbsolute(s) || normalize(s).startsWith("..")
          ? "is outside the folder"
          : !existsSync(join(rtlDir, s))
            ? "does not exist"
            : "";
    if (bad)
      throw new QuantrtlError(listFile, s, bad, "files.f lists the Verilog files of the design, one per line, relative to its folder (as gen writes it)");
  }
  if (sources.length === 0) throw new QuantrtlError(listFile, "files.f", "lists no Verilog file", "list the design's Verilog files, one per line");
  return sources;
}

/** Copies the user's rtl folder (sources and ROM images) into `to`. */
export function copyRtl(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

/**
 * Which per-layer taps (tap<i>_fire and tap<i>_data) the top module declares
 * among its ports. The RTL gen writes has none; RTL written with taps has one
 * per intermediate layer.
 */
export function topTapLayers(rtlDir: string, sources: readonly string[], top: string): Set<number> {
  const header = new RegExp(`\\bmodule\\s+${top}\\b([\\s\\S]*?)\\);`);
  for (const s of sources) {
    const text = readFileSync(join(rtlDir, s), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/[^\n]*/g, "");
    const m = header.exec(text);
    if (!m) continue;
    const ports = m[1];
    const fires = [...ports.matchAll(/\btap(\d+)_fire\b/g)].map((f) => Number(f[1]));
    return new Set(fires.filter((i) => new RegExp(`\\btap${i}_data\\b`).test(ports)));
  }
  throw new QuantrtlError(
    join(rtlDir, "files.f"),
    top,
    "no listed source defines the top module",
    `keep the top's name and interface as gen writes them (module ${top} with clk, rst, in_* and out_* ports)`,
  );
}
