/**
 * Public API of quantrtl: `import { loadModel, verifyModel } from "quantrtl"` (package.json
 * "exports"). The README's "TypeScript API" section shows the main path: load a model,
 * check it, run the golden model, write the design, prove it bit-exact.
 */
export type {
  Model,
  Layer,
  Conv2dLayer,
  TensorSpec,
  IntTensor,
  Folding,
  OutputStage,
  LayerNormLayer,
  GeluLayer,
  SoftmaxLayer,
  AttentionLayer,
} from "./ir/model.js";
export { loadModel, parseModel } from "./ir/load.js";
export { defaultFolding } from "./ir/load-common.js";
export type { LoadOptions } from "./ir/load.js";
export { checkModel } from "./flows/check.js";
export type { CheckResult, CheckedLayer, CheckedEngine, CheckedTensor, CheckedOutputStage } from "./flows/check.js";
export { modelSchema } from "./ir/schema.js";
export * from "./arith/rounding.js";
export * from "./arith/requant.js";
export * from "./arith/datapath.js";
export * from "./arith/widths.js";
export { quantizeConv, quantizeTensor } from "./frontend/quantize.js";
export { conv2dGolden, conv2dAccumulators } from "./hw/golden/conv2d.js";
export { runGolden } from "./hw/golden/network.js";
export type { GoldenTrace } from "./hw/golden/network.js";
export { attentionGolden } from "./hw/golden/attention.js";
export * as ivit from "./arith/ivit/index.js";
export { randomTensor, loadInputFile } from "./ir/inputs.js";
export { generateDesign } from "./codegen/design.js";
export { foldCounts, idealCycles } from "./ir/folding.js";
export { verifyModel } from "./verify/index.js";
export type { VerifyOptions, VerifyReport, SimulatorName } from "./verify/index.js";
export { writeDesign } from "./codegen/write.js";
export { QuantrtlError, ToolError } from "./util/errors.js";
export * from "./report/index.js";
export { buildReport } from "./flows/report.js";
export type { BuildReportOptions } from "./flows/report.js";
export { loadBoard, boardNames } from "./ir/board.js";
export type { Board } from "./ir/board.js";
export { predictStreaming } from "./flows/predict.js";
export { simulateStream } from "./perf/streaming.js";
export { chooseFolding } from "./flows/fold.js";
export { synthesize } from "./synth/index.js";
export { placeAndRoute } from "./synth/nextpnr.js";
export { compareKernels } from "./flows/compare.js";
export { estimatePower } from "./estimate/power.js";
export { energyPerInference } from "./estimate/energy.js";
