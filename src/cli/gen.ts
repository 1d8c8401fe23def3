/** `quantrtl gen <model> --out DIR`: the Verilog design and its golden test vectors. */
import { generateInto } from "../flows/gen.js";
import { QuantrtlError } from "../util/errors.js";
import { FOLD_FLAGS, flag, intFlag, MEMORY_FLAG, outputOptions, printJson, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { boardArg, modelArg } from "./inputs.js";

export const gen: CommandSpec = {
  name: "gen",
  usage: [
    "  quantrtl gen    <model.json> --out DIR [--force] [--vectors n] [--seed n] [--pe n] [--simd n] [--json]",
    "                  [--board b]   (a Xilinx board adds its AXI4-Stream IP, Vivado scripts, driver and FuseSoC core)",
  ].join("\n"),
  takesModel: true,
  flags: [value("out", "DIR"), flag("force"), value("vectors", "n"), value("seed", "n"), ...FOLD_FLAGS, flag("json"), MEMORY_FLAG],
  run(args) {
    const model = modelArg(args);
    const out = args.flags.get("out");
    if (typeof out !== "string") throw new QuantrtlError(undefined, "--out", "no output folder given", "write --out DIR");
    const seed = intFlag(args, "seed", 1, 0);
    const board = args.flags.has("board") ? boardArg(args) : undefined;
    const g = generateInto(model, out, intFlag(args, "vectors", 1, 1, 10000), seed, outputOptions(args), board);
    if (args.flags.has("json")) {
      printJson(g);
      return 0;
    }
    console.log(`wrote ${g.sources.length} Verilog files (top ${g.top}) and ${g.vectors} test vector(s) to ${g.dir}`);
    if (g.boardFiles) console.log(`${board!.name} outputs (generated and checked; Vivado not run here): ${g.boardFiles.join(", ")}`);
    return 0;
  },
};
