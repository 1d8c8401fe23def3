// Job for test/estimate/model.test.ts (run by test/helpers/worker.ts runJob): a model's
// resource estimate and its streaming prediction (which steps the model cycle by cycle).
import { parentPort, workerData } from "node:worker_threads";
import { loadModel } from "../../../dist/src/ir/load.js";
import { loadBoard } from "../../../dist/src/ir/board.js";
import { estimateModel } from "../../../dist/src/estimate/model.js";
import { predictStreaming } from "../../../dist/src/flows/predict.js";

const model = loadModel(workerData.file);
const board = loadBoard(workerData.board);
const e = estimateModel(model, board);
const perf = predictStreaming(model, board);
parentPort.postMessage({
  estimate: { units: e.units.map((u) => ({ kind: u.kind, name: u.name, lut: u.lut })), total: e.total },
  predicted: { units: perf.units.map((u) => ({ name: u.name })), totalResources: perf.total.resources },
});
