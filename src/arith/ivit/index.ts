/** Integer-only ViT ops (I-ViT): Shiftmax, ShiftGELU, I-LayerNorm — docs/integer-ops.md §3–§5. */
export * from "./expshift.js";
export * from "./shiftmax.js";
export * from "./shiftgelu.js";
export * from "./isqrt.js";
export * from "./layernorm.js";
export * from "./float.js";
export { checkExpShiftBound } from "./check.js";
export * from "./attention.js";
