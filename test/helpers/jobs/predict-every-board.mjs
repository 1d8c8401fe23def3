// Job for test/flows/predict.test.ts (run by test/helpers/worker.ts runJob): the streaming
// prediction of one bundled model on every board, as the plain figures the test checks.
import { parentPort, workerData } from "node:worker_threads";
import { loadModel } from "../../../dist/src/ir/load.js";
import { boardNames, loadBoard } from "../../../dist/src/ir/board.js";
import { predictStreaming, isSteppable } from "../../../dist/src/flows/predict.js";

const model = loadModel(workerData.file);
const steppable = isSteppable(model);
const boards = boardNames().map((name) => {
  const board = loadBoard(name);
  const p = predictStreaming(model, board);
  return {
    name,
    clockMHz: board.clockMHz,
    boardLut: board.resources.lut,
    exact: p.exact,
    total: {
      latencyUs: p.total.latencyUs,
      latencyCycles: p.total.latencyCycles,
      framesPerSecond: p.total.framesPerSecond,
      intervalCycles: p.total.intervalCycles,
      fractionLut: p.total.fraction.lut,
      lut: p.total.resources.lut,
    },
    layers: p.layers.map((l) => ({ intervalCycles: l.intervalCycles, idealCycles: l.idealCycles, utilization: l.utilization })),
  };
});
parentPort.postMessage({ steppable, boards });
