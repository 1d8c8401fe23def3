/**
 * `quantrtl board run <model> (--virtual | --port /dev/ttyUSBn) [--dataset mnist-test] [--limit n] [--baud b]`:
 * the host tool of the UART harness. Ends with `board: N/N replies equal to the golden …, X images/s …`.
 */
import { Args, flag, FOLD_FLAGS, intFlag, MEMORY_FLAG, value } from "./args.js";
import type { CommandSpec } from "./command.js";
import { boardArg, modelArg } from "./inputs.js";
import { progress } from "./print.js";
import { QuantrtlError } from "../util/errors.js";
import { loadDataset } from "../frontend/dataset.js";
import { randomTensor } from "../ir/inputs.js";
import { predictedClass } from "../flows/accuracy.js";
import { openSerialPort, openVirtualBoard, runOnBoard } from "../flows/board-run.js";
import { DEFAULT_BAUD, uartClocking, uartFraming } from "../codegen/board/uart.js";
import { runGolden } from "../hw/golden/network.js";

export async function boardCommand(args: Args): Promise<number> {
  const [sub, ...rest] = args.positional;
  if (sub !== "run")
    throw new QuantrtlError(
      undefined,
      sub ?? "<subcommand>",
      sub ? "is not a board subcommand" : "no subcommand given",
      "write quantrtl board run <model> --virtual (or --port /dev/ttyUSB1)",
    );
  const modelArgs: Args = { ...args, positional: rest };
  const model = modelArg(modelArgs);
  const board = boardArg(args);
  const baud = intFlag(args, "baud", DEFAULT_BAUD, 1);
  const clocking = uartClocking(board.clockMHz, baud);
  const port = args.flags.get("port");
  const virtual = args.flags.has("virtual");
  if (virtual === (port !== undefined))
    throw new QuantrtlError(
      undefined,
      "--port",
      virtual ? "cannot be combined with --virtual" : "no board given",
      "use --port /dev/ttyUSBn for a real board, or --virtual for the Verilator model",
    );
  if (port === true) throw new QuantrtlError(undefined, "--port", "needs a device", "write --port /dev/ttyUSB1");
  const limit = intFlag(args, "limit", 10, 1, 60000);
  const dataset = args.flags.get("dataset");
  const data = typeof dataset === "string" ? loadDataset(model, dataset, limit) : undefined;
  const seed = intFlag(args, "seed", 1, 0);
  const inputs = data ? data.inputs : Array.from({ length: limit }, (_, i) => randomTensor(model.input, seed * 1000 + i));
  const framing = uartFraming(model);
  progress(
    `board: ${inputs.length} frame(s) of ${framing.frameInBytes} bytes, replies of ${framing.frameOutBytes} byte(s), ${baud} baud 8N1 (divisor ${clocking.divisor} at ${board.clockMHz} MHz)`,
  );
  const transport = virtual ? await openVirtualBoard(model, board, baud, progress) : await openSerialPort(String(port), baud);
  const r = await runOnBoard(model, inputs, transport, framing, { clockHz: clocking.clockHz, baud, onProgress: progress });
  for (const m of r.mismatches.slice(0, 5)) console.log(`frame ${m.index}: reply ${m.actual.join(" ")}, golden ${m.expected.join(" ")}`);
  if (data && model.layers[model.layers.length - 1].kind === "argmax") {
    const correct = data.inputs.filter((x, i) => predictedClass(model, runGolden(model, x).layers[model.layers.length - 1]) === data.labels?.[i]).length;
    console.log(`golden classes equal to the labels: ${correct}/${data.count}`);
  }
  const time = r.cycles !== undefined ? `${r.cycles} simulated cycles at ${board.clockMHz} MHz` : `${r.seconds.toFixed(2)} s wall clock`;
  if (r.loadBytes > 0)
    console.log(
      `weight load (once after configuration, before the first frame; not in images/s): ${r.loadBytes} bytes, ${r.loadSeconds.toFixed(2)} s at ${baud} baud`,
    );
  console.log(
    `board (${transport.label}): ${r.matched}/${r.images} replies equal to the golden, ${r.imagesPerSecond.toFixed(2)} images/s at ${baud} baud, ${board.clockMHz} MHz (${time})`,
  );
  return r.matched === r.images ? 0 : 3;
}

export const board: CommandSpec = {
  name: "board",
  usage: [
    "  quantrtl board run <model.json> (--virtual | --port /dev/ttyUSBn) [--board b] [--dataset mnist-test]",
    "                  [--limit n] [--baud b] [--seed n] (sends samples over the UART harness, checks every reply against",
    "                  the golden; --virtual runs the Verilator model of the whole harness, bit-level serial lines)",
  ].join("\n"),
  takesModel: true,
  // `board run <model>`: a subcommand, then the model
  maxPositional: 2,
  flags: [
    value("port", "device"),
    flag("virtual"),
    value("dataset", "name"),
    value("limit", "n"),
    value("baud", "b"),
    value("seed", "n"),
    ...FOLD_FLAGS,
    MEMORY_FLAG,
  ],
  run: boardCommand,
};
