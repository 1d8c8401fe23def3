/** `quantrtl report <model>`: report.json, report.md and report.html (optionally with synthesis and a verification run). */
import { buildReport } from "../flows/report.js";
import { writeReport } from "../report/write.js";
import { verifyModel } from "../verify/index.js";
import { defaultOutDir } from "../flows/gen.js";
import { QuantrtlError } from "../util/errors.js";
import { checkOutput } from "../util/output.js";
import { Args, flag, FOLD_FLAGS, intFlag, MEMORY_FLAG, outputOptions, printJson, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { boardArg, modelArg } from "./inputs.js";
import { progress } from "./print.js";

async function reportCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  const out = typeof args.flags.get("out") === "string" ? String(args.flags.get("out")) : `${defaultOutDir(model)}/report`;
  // --vectors and --seed choose the verification's inputs: without --verify they would be ignored silently
  for (const flag of ["vectors", "seed"]) {
    if (args.flags.has(flag) && !args.flags.has("verify"))
      throw new QuantrtlError(undefined, `--${flag}`, "only applies with --verify", `add --verify, or leave out --${flag}`);
  }
  const options = outputOptions(args);
  checkOutput(out, options); // refused before synthesis or simulation, not after (writeReport checks again)
  const verification = args.flags.has("verify")
    ? await verifyModel(model, {
        sim: "verilator",
        vectors: intFlag(args, "vectors", 1, 1, 10000),
        seed: intFlag(args, "seed", 1, 0),
        backpressure: 0,
        measureToggles: true,
        onProgress: progress,
      })
    : undefined;
  const report = await buildReport(model, board, { synth: args.flags.has("synth"), verification, onProgress: progress });
  const paths = writeReport(out, report, options);
  const t = report.performance.total;
  if (args.flags.has("json")) {
    const v = verification && {
      sim: verification.sim,
      bitExact: verification.bitExact,
      matched: verification.matched,
      expectedWords: verification.expectedWords,
      vectors: verification.vectors,
      cycles: verification.cycles,
    };
    printJson({ model: model.name, hash: model.hash, board: board.name, verification: v ?? null, total: t, files: paths });
    return verification && !verification.bitExact ? 3 : 0;
  }
  if (verification)
    console.log(
      `bit-exact: ${verification.matched}/${verification.expectedWords} words, ${verification.vectors} vectors, ${verification.cycles} cycles (${verification.sim})`,
    );
  console.log(`total: ${t.latencyCycles} cycles, ${t.latencyUs.toFixed(2)} us at ${board.clockMHz} MHz, ${t.framesPerSecond.toFixed(1)} frames/s`);
  console.log(`report: ${paths.json}`);
  console.log(`report: ${paths.markdown}`);
  console.log(`report: ${paths.html}`);
  return verification && !verification.bitExact ? 3 : 0;
}

export const report: CommandSpec = {
  name: "report",
  usage: [
    "  quantrtl report <model.json> [--board b] [--out DIR] [--force] [--synth] [--verify [--vectors n] [--seed n]] [--json]",
    "                  (report.json, report.md and a self-contained report.html with SVG charts)",
  ].join("\n"),
  takesModel: true,
  flags: [
    value("out", "DIR"),
    flag("force"),
    flag("synth"),
    flag("verify"),
    value("vectors", "n"),
    value("seed", "n"),
    ...FOLD_FLAGS,
    flag("json"),
    MEMORY_FLAG,
  ],
  run: reportCommand,
};
