#!/usr/bin/env node
/** quantrtl command line: parses and dispatches (one file per command). Exit 1 bad input, 2 tool failure, 3 not bit-exact, 4 internal error. */
import { resolve } from "node:path";
import { QuantrtlError, ToolError } from "../util/errors.js";
import { packageVersion } from "../util/paths.js";
import { boardNames, DEFAULT_BOARD } from "../ir/board.js";
import { stopCleanlyOnSignals } from "../util/interrupt.js";
import { CommandSpec, HelpText, runProgram } from "./command.js";
import { check } from "./check.js";
import { runCommand } from "./run.js";
import { gen } from "./gen.js";
import { verifyCommand } from "./verify.js";
import { build } from "./build.js";
import { sim } from "./sim.js";
import { synth } from "./synth.js";
import { compare } from "./compare.js";
import { report } from "./report.js";
import { demo } from "./demo.js";
import { bitstream } from "./bitstream.js";
import { board } from "./board.js";
import { importSpec } from "./import.js";
import { sweep } from "./sweep.js";
import { worker } from "./worker.js";

/** Every command, in the order of the help text: a new command is its file and one line here. */
export const COMMANDS: readonly CommandSpec[] = [
  check,
  runCommand,
  gen,
  verifyCommand,
  build,
  sim,
  synth,
  compare,
  report,
  sweep,
  worker,
  importSpec,
  bitstream,
  board,
  demo,
];

export const HELP: HelpText = {
  header: `quantrtl ${packageVersion()} - quantized CNNs to bit-exact, verified Verilog`,
  notes: `folding: --pe n / --simd n set every layer; --fold auto [--board b] [--fps f] chooses
per layer (max throughput that fits the board, or the frames/s goal); --weight-memory auto|rom|spram
keeps weights in ROM or in loadable SPRAM (iCE40 UP; auto moves them when block RAM is over 80 %).
boards: ${boardNames().join(", ")} (default ${DEFAULT_BOARD})
--out: a new folder, an empty one, or one quantrtl wrote before (it holds .quantrtl-out.json)
is replaced whole; anything else is refused unless --force (never /, the working folder,
its parents, or the model's folder).
memory: --max-memory <size> (e.g. 512M, 4G) bounds what a model may take; default half
the free memory, at most 4 GiB. A model beyond it is refused at load.
data: --dataset <data> takes mnist-test, mnist-train, file.npz [--x name --y name], images.npy
[--labels labels.npy] or IDX images [--labels file]; [--layout nchw|nhwc] when the shape reads both ways.
--json: the command's figures as one JSON document on stdout (schemas/cli-<command>.schema.json).
--version: the version of quantrtl; <command> --help: that command's usage.

exit codes: 0 ok, 1 bad input, 2 missing tool / tool failure, 3 design not bit-exact,
4 internal error (a quantrtl bug: please report it)`,
};

let strayErrorsReported = false;

/** An error thrown outside main's promise (an event handler, a stray rejection) ends as an internal error too. */
function reportStrayErrors(): void {
  if (strayErrorsReported) return;
  strayErrorsReported = true;
  for (const event of ["uncaughtException", "unhandledRejection"] as const) process.on(event, (err) => process.exit(reportInternalError(err)));
}

export async function main(argv: string[]): Promise<number> {
  // here, not where the script is run: bin/quantrtl, npx and `node dist/src/cli/main.js` all come through main
  stopCleanlyOnSignals();
  reportStrayErrors();
  try {
    // no command, or `quantrtl version`: the help and the version, as before commander
    if (argv.length === 0) return runProgram(COMMANDS, HELP, packageVersion(), ["--help"]);
    if (argv[0] === "version") return runProgram(COMMANDS, HELP, packageVersion(), ["--version"]);
    return await runProgram(COMMANDS, HELP, packageVersion(), argv);
  } catch (err) {
    if (err instanceof QuantrtlError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    if (err instanceof ToolError) {
      process.stderr.write(`tool error: ${err.message}\n`);
      return 2;
    }
    return reportInternalError(err);
  }
}

/** Exit code of an error no check foresaw: a bug in quantrtl, not in the user's input. */
export const INTERNAL_ERROR_EXIT = 4;

/** One line instead of a stack trace (the stack with QUANTRTL_DEBUG=1). */
export function reportInternalError(err: unknown): number {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(`quantrtl: internal error: ${text.split("\n")[0]} (please report)\n`);
  if (process.env.QUANTRTL_DEBUG === "1" && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return INTERNAL_ERROR_EXIT;
}

const invoked = process.argv[1] ? resolve(process.argv[1]) : "";
if (invoked.endsWith("main.js")) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
