/** Public API of the ARRAY performance model (analytical systolic-array model for networks too large to stream). */
export { simulateArray, simulateLayer, rooflinePoint, untiledArch } from "./model.js";
export type { ArrayMapping, ArrayOptions, ArrayReport, LayerReport, TotalReport, TilingReport, RooflinePoint } from "./model.js";
export { validateArch, DATAFLOWS } from "./arch.js";
export type { ArrayArch, Dataflow } from "./arch.js";
export { lowerToGemm, gemmMacs, workloadMacs, convOutputSize, defaultBits, resolveBits, validateWorkload, ARRAY_DATAPATHS } from "./workload.js";
export type { Workload, WorkloadLayer, ConvWorkloadLayer, MatmulWorkloadLayer, ElementBits, Gemm, ArrayDatapath } from "./workload.js";
export { alexnetConv1, alexnetConv2, resnet20Cifar, deitTiny, keptTokens } from "./workloads.js";
export type { DeitOptions } from "./workloads.js";
export { foldCycles } from "./fold.js";
export { evaluateTiling } from "./tiling.js";
export type { Tiling, TilingCost, LoopOrder, DramTraffic } from "./tiling.js";
export { searchTiling } from "./search.js";
