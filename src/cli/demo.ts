/** `quantrtl demo`: the main job on the bundled default model. */
import { flag, MEMORY_FLAG, value } from "./args.js";
import { buildCommand } from "./build.js";
import type { CommandSpec } from "./command.js";
import { DEMO_MODEL } from "./inputs.js";
import { progress } from "./print.js";

/** `quantrtl build models/mnist-adder.json --out out/mnist-adder`. */
export const demo: CommandSpec = {
  name: "demo",
  usage: [
    `  quantrtl demo   [--force] (build ${DEMO_MODEL} into out/mnist-adder)`,
    "                  [--board b] [--vectors n] [--limit n] [--no-synth | --synth] [--sim s] [--backpressure p] [--seed n] [--json]",
  ].join("\n"),
  takesModel: false,
  flags: [
    value("vectors", "n"),
    value("backpressure", "p"),
    value("seed", "n"),
    value("limit", "n"),
    value("board", "b"),
    flag("synth"),
    flag("no-synth"),
    value("sim", "name"),
    flag("force"),
    flag("json"),
    MEMORY_FLAG,
  ],
  run(args) {
    progress(`demo: quantrtl build ${DEMO_MODEL} --out out/mnist-adder`);
    return buildCommand({ command: "build", positional: [DEMO_MODEL], flags: new Map([["out", "out/mnist-adder"], ...args.flags]) });
  },
};
