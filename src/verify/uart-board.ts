/**
 * The virtual board: the Verilator model of a whole UART harness top
 * (codegen/board/uart.ts) with hw/harness/uart_main.cpp driving its serial lines
 * bit by bit. Built once per distinct design (cached by content hash, like
 * verify/verilator.ts); run as a child process whose stdin/stdout are the wires.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ChildProcess } from "node:child_process";
import { packageRoot } from "../util/paths.js";
import { ToolError, tail } from "../util/errors.js";
import { spawnTool, stopTool } from "../util/interrupt.js";
import { requireTool, runChecked, toolVersion } from "../util/process.js";
import { buildIntoCache, cacheRoot } from "./verilator.js";

const FLAGS = ["--cc", "--exe", "-O2", "--default-language", "1364-2005", "-Wno-fatal"];

function harnessSource(): string {
  return join(packageRoot(), "hw", "harness", "uart_main.cpp");
}

/** Builds (or reuses) the virtual board's simulator for the harness top in `rtlDir`; returns its path. */
export async function buildVirtualBoard(rtlDir: string, sources: readonly string[], top: string, onProgress?: (m: string) => void): Promise<string> {
  requireTool("verilator");
  const h = createHash("sha256").update(toolVersion("verilator")).update(readFileSync(harnessSource())).update(top).update(FLAGS.join(" "));
  for (const s of sources) h.update(s).update(readFileSync(join(rtlDir, s), "utf8").replace(/\/\/[^\n]*/g, ""));
  const key = h.digest("hex").slice(0, 24);
  const dir = join(cacheRoot(), "verilator-uart", key);
  const binary = join(dir, "sim");
  if (existsSync(binary)) {
    onProgress?.(`verilator: reusing cached virtual board ${key}`);
    return binary;
  }
  onProgress?.(`verilator: building the virtual board ${top} (cache ${key})`);
  return buildIntoCache(dir, async (staging) => {
    await runChecked(
      "verilator",
      [...FLAGS, "--top-module", top, "--prefix", "Vuart", "--Mdir", staging, "-o", "sim", ...sources.map((s) => join(rtlDir, s)), harnessSource()],
      { cwd: rtlDir, what: "verilator (virtual board)", timeoutMs: 20 * 60_000 },
    );
    await runChecked("make", ["-C", staging, "-f", "Vuart.mk", "-j", "2", "OPT_FAST=-Os", "sim"], {
      what: "C++ build of the virtual board",
      timeoutMs: 20 * 60_000,
    });
  });
}

/** What the virtual board reports when its input ends: simulated cycles and bytes each way. */
export interface VirtualBoardStats {
  readonly cycles: number;
  readonly sent: number;
  readonly received: number;
  readonly framingErrors: number;
  readonly ledRed: number;
}

/** A running virtual board: bytes written go onto its rx line; bytes from its tx line arrive through onData. */
export class VirtualBoard {
  private readonly child: ChildProcess;
  private stderr = "";
  private readonly exited: Promise<number>;

  constructor(
    binary: string,
    rtlDir: string,
    args: { clockHz: number; baud: number; frameIn: number; frameOut: number; preamble?: number },
    onData: (bytes: Uint8Array) => void,
  ) {
    const argv = ["--clock-hz", String(args.clockHz), "--baud", String(args.baud), "--frame-in", String(args.frameIn), "--frame-out", String(args.frameOut)];
    // the weight load image goes first and has no reply
    if (args.preamble) argv.push("--preamble", String(args.preamble));
    this.child = spawnTool(binary, argv, { cwd: rtlDir, stdio: ["pipe", "pipe", "pipe"] }, "virtual board");
    this.child.stdout!.on("data", (d: Buffer) => onData(new Uint8Array(d)));
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    // a board that ended early must not turn a later write into an unhandled EPIPE
    this.child.stdin!.on("error", () => undefined);
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code ?? 128)));
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.stdin!.write(bytes)) resolve();
      else this.child.stdin!.once("drain", () => resolve());
    });
  }

  /** Ends the input and waits for the board's last report. */
  async close(): Promise<VirtualBoardStats> {
    this.child.stdin!.end();
    const code = await this.exited;
    const line = this.stderr.split("\n").find((l) => l.startsWith("QUANTRTL_UART "));
    if (code !== 0 || !line) throw new ToolError("virtual board", `ended with exit ${code}`, "uart_main", tail(this.stderr));
    return JSON.parse(line.slice("QUANTRTL_UART ".length)) as VirtualBoardStats;
  }

  /** Stops the board (on an error of the host side). */
  stop(): void {
    stopTool(this.child);
  }

  get report(): string {
    return this.stderr;
  }
}
