/** Public API of quantrtl. */
export type { Model, Layer, Conv2dLayer, TensorSpec, IntTensor, Folding, OutputStage } from "./ir/model.js";
export { loadModel, parseModel, defaultFolding } from "./ir/load.js";
export { modelSchema } from "./ir/schema.js";
export * from "./quant/rounding.js";
export * from "./quant/requant.js";
export * from "./quant/datapath.js";
export * from "./quant/widths.js";
export { quantizeConv, quantizeTensor } from "./quant/quantize.js";
export { conv2dGolden, conv2dAccumulators } from "./sim/golden/conv2d.js";
export { runGolden } from "./sim/golden/network.js";
export { randomTensor, loadInputFile } from "./sim/inputs.js";
export { generateDesign } from "./codegen/design.js";
export { foldCounts, idealCycles } from "./codegen/units/folding.js";
export { verifyModel } from "./verify/index.js";
export type { VerifyOptions, VerifyReport, SimulatorName } from "./verify/index.js";
export { writeDesign } from "./codegen/write.js";
export { QuantrtlError, ToolError } from "./util/errors.js";
