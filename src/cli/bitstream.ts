/**
 * `quantrtl bitstream <model> --board icebreaker [--out DIR]`: the model in its UART
 * harness through Yosys, nextpnr-ice40 (the board's PCF) and icepack to DIR/<name>.bin.
 * Refused before any tool runs when it does not fit (unless --allow-overfit); a
 * timing miss is an error naming Fmax and the critical path (unless --allow-timing-miss).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Args, flag, FOLD_FLAGS, intFlag, MEMORY_FLAG, numberFlag, outputOptions, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { boardArg, modelArg } from "./inputs.js";
import { progress } from "./print.js";
import { estimateModel } from "../estimate/model.js";
import { fitLines, fitVerdict, requireFit } from "../flows/fit.js";
import type { Board } from "../ir/board.js";
import { modelIdentifier } from "../codegen/design.js";
import { DEFAULT_BAUD, uartClocking } from "../codegen/board/uart.js";
import { buildBitstream, BitstreamResult, requireTiming } from "../synth/bitstream.js";
import { harnessPcf } from "../synth/pcf.js";
import { nextpnrDeviceArgs } from "../synth/nextpnr.js";
import { stageDir, writeFiles } from "../util/atomic.js";
import { checkOutput, OutputOptions } from "../util/output.js";
import type { Model } from "../ir/model.js";

export async function bitstreamCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  nextpnrDeviceArgs(board); // an iCE40 board, or the user's error now
  const clockMHz = numberFlag(args, "clock-mhz", board.clockMHz, 0.001, 2000);
  const baud = intFlag(args, "baud", DEFAULT_BAUD, 1);
  uartClocking(clockMHz, baud);
  harnessPcf(board, clockMHz);
  checkFit(args, model, board);
  const out = typeof args.flags.get("out") === "string" ? String(args.flags.get("out")) : `out/${modelIdentifier(model)}/ice40`;
  const options = outputOptions(args);
  checkOutput(out, options); // refused before minutes of place and route, not after
  const r = await buildBitstream(model, board, { baud, clockMHz, onProgress: progress });
  printBitstream(r, board.part);
  if (!args.flags.has("allow-timing-miss")) requireTiming(r);
  const dir = writeBitstream(out, model, r, options);
  console.log(`bitstream: ${join(dir, `${r.name}.bin`)} (${r.bin.length} bytes); flash it with: iceprog ${join(dir, `${r.name}.bin`)}`);
  return 0;
}

export function printBitstream(r: BitstreamResult, part: string): void {
  const u = Object.entries(r.utilisation)
    .filter(([, x]) => x.used > 0)
    .map(([k, x]) => `${k} ${x.used}/${x.available}`)
    .join(", ");
  console.log(`${r.topModule} on ${part}: ${u}`);
  console.log(
    `UART: ${r.clocking.baud} baud 8N1, divisor ${r.clocking.divisor} at ${r.constraintMHz} MHz (${(r.clocking.error * 100).toFixed(2)} % off); frame ${r.framing.frameInBytes} bytes in, ${r.framing.frameOutBytes} byte(s) out`,
  );
  if (r.loadBytes > 0)
    console.log(
      `weight load: the first ${r.loadBytes} bytes after configuration are the SPRAM weights (${((r.loadBytes * 10) / r.clocking.baud).toFixed(2)} s at ${r.clocking.baud} baud; quantrtl board run sends them)`,
    );
  console.log(
    `nextpnr-ice40: Fmax ${r.fmaxMHz.toFixed(2)} MHz (clock ${r.constraintMHz} MHz, ${r.timingMet ? "met" : "NOT met"}); critical path ${r.criticalPath.delayNs.toFixed(2)} ns, ${r.criticalPath.from} -> ${r.criticalPath.to}`,
  );
}

/** The files of a bitstream build, relative to its folder: what `build` lists too. */
export function bitstreamFiles(r: BitstreamResult): { path: string; content: string }[] {
  return [
    ...r.rtl,
    { path: `${r.name}.pcf`, content: r.pcf },
    { path: "nextpnr-report.json", content: r.nextpnrReport },
    {
      path: "bitstream.json",
      content:
        JSON.stringify(
          {
            name: r.name,
            top: r.topModule,
            fmaxMHz: r.fmaxMHz,
            clockMHz: r.constraintMHz,
            timingMet: r.timingMet,
            criticalPath: { from: r.criticalPath.from, to: r.criticalPath.to, delayNs: r.criticalPath.delayNs },
            utilisation: r.utilisation,
            uart: { baud: r.clocking.baud, divisor: r.clocking.divisor, ...r.framing, weightLoadBytes: r.loadBytes },
            tools: r.tools,
          },
          null,
          2,
        ) + "\n",
    },
  ];
}

/** Writes <name>.bin, <name>.pcf, rtl/ (design and harness), the nextpnr report and bitstream.json into `dir` (staged, atomic). */
export function writeBitstream(out: string, model: Model, r: BitstreamResult, options: OutputOptions): string {
  const staged = stageDir(out, { ...options, owner: { model: model.name, modelHash: model.hash } });
  try {
    writeFiles(staged.path, bitstreamFiles(r));
    writeFileSync(join(staged.path, `${r.name}.bin`), r.bin);
    return staged.commit();
  } catch (err) {
    staged.discard();
    throw staged.explain(err);
  }
}

/**
 * The fit verdict before any expensive step: a design over 100 % of the board's
 * LUT/FF/DSP/BRAM (Yosys-fitted estimate) is refused unless --allow-overfit, and
 * nothing is written. Resources over 80 % are a warning on stderr.
 */
export function checkFit(args: Args, model: Model, board: Board): void {
  const verdict = fitVerdict(estimateModel(model, board).total, board);
  const allow = args.flags.has("allow-overfit");
  if (!allow) requireFit(verdict, "Yosys-fitted estimate");
  for (const line of fitLines(verdict, "Yosys-fitted estimate")) progress(line);
}

export const bitstream: CommandSpec = {
  name: "bitstream",
  usage: [
    "  quantrtl bitstream <model.json> --board icebreaker [--out DIR] [--force] [--baud b] [--allow-overfit]",
    "                  [--allow-timing-miss] [--clock-mhz f] (Yosys synth_ice40, nextpnr-ice40 with the board's PCF, icepack:",
    "                  the model in its UART harness as a .bin; exit 0 only when it fits and meets the clock)",
  ].join("\n"),
  takesModel: true,
  flags: [
    value("out", "DIR"),
    flag("force"),
    value("baud", "b"),
    flag("allow-overfit"),
    flag("allow-timing-miss"),
    value("clock-mhz", "f"),
    ...FOLD_FLAGS,
    MEMORY_FLAG,
  ],
  run: bitstreamCommand,
};
