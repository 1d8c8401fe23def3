/**
 * Loading the integer-only ViT layers (spec/integer-ops.md §3–§6): layernorm,
 * gelu, softmax, attention. The schema (schema.ts) has checked the fields' forms;
 * here the checks that relate them to the input tensor and to the bounds the
 * integer ops need, each failing with the JSON path of the field to change.
 */
import { AttentionLayer, GeluLayer, Layer, LayerNormLayer, SoftmaxLayer, TensorSpec } from "./model.js";
import { checkValues, Ctx, parseEngineRequant, parsePoolRequant, RawLayer, readInts } from "./load-common.js";
import { QuantrtlError } from "../util/errors.js";
import { signedMax, signedMin } from "../arith/rounding.js";
import { RECIPROCAL_NUMERATOR } from "../arith/ivit/expshift.js";
import { NEWTON_ITERATIONS } from "../arith/ivit/isqrt.js";
import { layerNormVarianceMax, layerNormWidths } from "../arith/ivit/layernorm.js";
import { SHIFTGELU_N, SHIFTGELU_OUT_BITS } from "../arith/ivit/shiftgelu.js";
import { SHIFTMAX_N, SHIFTMAX_OUT_BITS } from "../arith/ivit/shiftmax.js";
import { ATTENTION_INPUT_BITS, attentionScoreBits } from "../arith/ivit/attention.js";

/** Default SIMD lanes of the attention unit [ours]: the largest divisor of the head dim up to 16. */
export function defaultAttentionSimd(headDim: number): number {
  for (let s = Math.min(16, headDim); s > 1; s--) if (headDim % s === 0) return s;
  return 1;
}

export function parseIvitLayer(raw: RawLayer, base: { name: string; inputs: readonly string[]; input: TensorSpec }, ctx: Ctx): Layer {
  const input = base.input;
  const fail = (path: string, problem: string, hint: string): never => {
    throw new QuantrtlError(ctx.file, `${ctx.at}${path}`, problem, hint);
  };
  if (input.bits === 1) fail("/inputs", `a ${raw.type} layer of a binary (±1) tensor is not defined`, "feed it an int8 or int16 tensor");
  /** |x0|·2^n·terms ≤ 2^31 − 1 (spec §3/§4 bounds, see makeShiftmaxParams / makeShiftGeluParams). */
  const checkExpBound = (x0: number, n: number, terms: number, what: string) => {
    if (terms * -x0 * 2 ** n <= RECIPROCAL_NUMERATOR) return;
    const maxAbs = Math.floor(RECIPROCAL_NUMERATOR / (terms * 2 ** n));
    fail(
      "/x0",
      `${terms > 1 ? `${terms}·` : ""}|x0|·2^n = ${terms > 1 ? `${terms}·` : ""}${-x0}·2^${n} exceeds 2^31 − 1 (${what})`,
      `use |x0| ≤ ${maxAbs} at n = ${n} (a coarser input scale), or a smaller "n"`,
    );
  };

  // one parser per type, sharing the checks above
  const parsers: Partial<Record<RawLayer["type"], () => Layer>> = {
    layernorm: () => {
      const C = input.channels;
      const varMax = layerNormVarianceMax(input.bits, C);
      if (varMax >= 1n << 32n) {
        let bits = input.bits;
        while (bits > 2 && layerNormVarianceMax(bits, C) >= 1n << 32n) bits--;
        fail(
          "/inputs",
          `${input.bits}-bit inputs over ${C} channels allow a variance up to ${varMax} ≥ 2^32, where the ten Newton steps from 2^16 of spec §5 are not defined to converge`,
          `requantize the LayerNorm input to at most ${bits} bits`,
        );
      }
      const values = raw.biasInt ? readInts(raw.biasInt, "/biasInt", 32, ctx, { count: C, shape: "one per channel" }) : new Array<number>(C).fill(0);
      if (values.length !== C)
        fail("/biasInt", `has ${values.length} values; expected one per channel (${C})`, `give ${C} integers floor(beta/gamma / (sqrt(N)/2^30))`);
      const biasInt = checkValues(values, "/biasInt", [signedMin(32), signedMax(32)], false, ctx);
      // [ours] §5's ten Newton steps unless the layer records another count (absent = 10, kept out of the hash)
      const params = {
        inputBits: input.bits,
        channels: C,
        biasInt,
        ...(raw.newtonIterations !== undefined && raw.newtonIterations !== NEWTON_ITERATIONS ? { newtonIterations: raw.newtonIterations } : {}),
      };
      if (layerNormWidths(params).outBits > 32)
        fail("/biasInt", "z = floor(y·f/2) + bias_int needs more than 32 bits", "keep every bias_int within [−2^30, 2^30], i.e. |beta/gamma| ≤ sqrt(N)");
      const out = parseEngineRequant(raw.requant!, C, false, (path, problem, hint) => fail(path, problem, hint));
      if (out.kind !== "requant") throw new Error("unreachable");
      const layer: LayerNormLayer = { kind: "layernorm", ...base, output: { ...spatial(input), channels: C, bits: out.params.outBits }, params, out };
      return layer;
    },
    gelu: () => {
      const n = raw.n ?? SHIFTGELU_N;
      const sigmoidBits = raw.sigmoidBits ?? SHIFTGELU_OUT_BITS;
      // [ours] as makeShiftGeluParams: 2·|x0'|·2^n ≤ 2^31 − 1, so a + c never clamps and sig stays in range
      checkExpBound(raw.x0!, n, 2, "ShiftGELU needs a + c ≤ 2^31 − 1, spec §4");
      if (input.bits + sigmoidBits - 1 > 32)
        fail("/sigmoidBits", `y = x·sig needs ${input.bits + sigmoidBits - 1} bits, more than 32`, `use sigmoidBits ≤ ${33 - input.bits}`);
      const requant = parsePoolRequant(raw.requant!, "/requant", ctx);
      const layer: GeluLayer = {
        kind: "gelu",
        ...base,
        output: { ...spatial(input), channels: input.channels, bits: requant.outBits },
        params: { inputBits: input.bits, x0: raw.x0!, n, outBits: sigmoidBits },
        requant,
      };
      return layer;
    },
    softmax: () => {
      const n = raw.n ?? SHIFTMAX_N;
      const outBits = raw.outBits ?? SHIFTMAX_OUT_BITS;
      checkExpBound(raw.x0!, n, 1, "Shiftmax needs e ≤ 2^31 − 1, spec §3");
      const layer: SoftmaxLayer = {
        kind: "softmax",
        ...base,
        output: { ...spatial(input), channels: input.channels, bits: outBits },
        params: { inputBits: input.bits, x0: raw.x0!, n, outBits },
      };
      return layer;
    },
    attention: () => {
      const { height: T, width, channels } = input;
      if (width !== 1)
        fail(
          "/inputs",
          `attention takes a token sequence [T, 1, 3·D]; the input is ${T}×${width}×${channels}`,
          "give tokens as the height, width 1 (a flattened image is [H·W, 1, C])",
        );
      if (input.bits !== ATTENTION_INPUT_BITS)
        fail("/inputs", `attention takes int8 Q, K and V (spec §6); the input has ${input.bits}-bit values`, "requantize the QKV linear layer to outBits 8");
      if (channels % 3 !== 0)
        fail(
          "/inputs",
          `the input has ${channels} channels, not 3·D (Q, K and V side by side)`,
          "feed the output of one QKV linear layer with 3·D output features",
        );
      const D = channels / 3;
      const heads = raw.heads!;
      if (D % heads !== 0) fail("/heads", `${heads} heads do not divide the model dim D = ${D}`, `use a divisor of ${D}`);
      const headDim = D / heads;
      const simd = ctx.arch?.simd ?? raw.arch?.simd ?? defaultAttentionSimd(headDim);
      if (!Number.isInteger(simd) || simd < 1 || headDim % simd !== 0) {
        const problem = `simd = ${simd} does not divide the head dim ${headDim} of attention layer "${raw.name}"`;
        const hint = `use a divisor of ${headDim} (e.g. ${defaultAttentionSimd(headDim)})`;
        if (ctx.arch?.simd !== undefined) throw new QuantrtlError(ctx.file, "--simd", problem, hint);
        fail("/arch/simd", problem, hint);
      }
      const scoreBits = attentionScoreBits(headDim, input.bits);
      if (scoreBits > 32) fail("/heads", `a score over a head dim of ${headDim} needs ${scoreBits} bits, more than 32`, "use more heads (a smaller head dim)");
      const n = raw.n ?? SHIFTMAX_N;
      checkExpBound(raw.x0!, n, 1, "Shiftmax of the scores needs e ≤ 2^31 − 1, spec §3");
      const requant = parsePoolRequant(raw.requant!, "/requant", ctx);
      const layer: AttentionLayer = {
        kind: "attention",
        ...base,
        output: { height: T, width: 1, channels: D, bits: requant.outBits },
        heads,
        headDim,
        softmax: { inputBits: scoreBits, x0: raw.x0!, n, outBits: SHIFTMAX_OUT_BITS },
        requant,
        arch: { simd },
      };
      return layer;
    },
  };
  const parse = parsers[raw.type];
  if (!parse) throw new Error(`parseIvitLayer: ${raw.type} is not handled here`);
  return parse();
}

function spatial(t: TensorSpec): { height: number; width: number } {
  return { height: t.height, width: t.width };
}
