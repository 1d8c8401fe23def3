/**
 * Builders of small multi-layer models for the RTL tests of the non-engine layers
 * (model-file form, through parseModel like a user's file). Conv layers come from
 * convDoc (test/helpers/models.ts); the rest are written out here.
 */
import { parseModel } from "../../src/ir/load.js";
import type { IntTensor, Model } from "../../src/ir/model.js";
import { constantTensor, randomTensor, rng } from "../../src/ir/inputs.js";
import { verifyModel, type VerifyReport } from "../../src/verify/index.js";
import { expect } from "vitest";
import { convDoc, ConvCase } from "./models.js";
import { expectExact } from "./rtl.js";

export interface InputSpec {
  height: number;
  width: number;
  channels: number;
  bits: 1 | 8 | 16;
}

export type Rounding = "floor" | "half_up" | "half_away" | "half_even";

/** A conv2d layer document on an input of `input` (its name `name`). */
export function convLayer(
  name: string,
  input: InputSpec,
  c: Omit<ConvCase, "height" | "width" | "channels" | "bits"> & { bits?: 8 | 16 },
): Record<string, unknown> {
  const doc = convDoc({ ...c, height: input.height, width: input.width, channels: input.channels });
  return { ...(doc.layers as Record<string, unknown>[])[0], name };
}

/** A dense layer document: mac, 8-bit weights (seeded, or given), requant to `outBits`. */
export function denseLayer(
  name: string,
  inFeatures: number,
  d: {
    outFeatures: number;
    weights?: number[];
    bias?: number[];
    seed?: number;
    requant: { multiplier: number; shift: number; rounding: Rounding; outBits: 8 | 16 };
    pe?: number;
    simd?: number;
    bits?: 8 | 16;
  },
): Record<string, unknown> {
  const next = rng(d.seed ?? 11);
  const weights = d.weights ?? Array.from({ length: d.outFeatures * inFeatures }, () => -128 + Math.floor(next() * 256));
  const layer: Record<string, unknown> = {
    type: "dense",
    name,
    datapath: "mac",
    outFeatures: d.outFeatures,
    weightBits: 8,
    activationBits: d.bits ?? 8,
    weights,
    requant: d.requant,
    arch: { pe: d.pe ?? 1, simd: d.simd ?? 4 },
  };
  if (d.bias) layer.bias = d.bias;
  return layer;
}

export function networkModel(name: string, input: InputSpec, layers: readonly Record<string, unknown>[]): Model {
  return parseModel({ quantrtl: 1, name, input, layers });
}

/**
 * Bit-exact with back-pressure (0.3), and at backpressure 0 bit-exact again with
 * the measured cycles equal to the streaming model's prediction. Returns the
 * backpressure-0 report.
 */
export async function expectVerified(model: Model, inputs: IntTensor[], seed = 3): Promise<VerifyReport> {
  expectExact(await verifyModel(model, { sim: "verilator", inputs, seed, backpressure: 0.3 }));
  const r0 = await verifyModel(model, { sim: "verilator", inputs, seed, backpressure: 0 });
  expectExact(r0);
  expect(r0.cycles).toBe(r0.predicted.cycles);
  expect(r0.frameCycles).toEqual(r0.predicted.frameCycles);
  return r0;
}

/** expectVerified on the all-minimum input (all +1 for ±1 tensors) and two random ones. */
export async function expectVerifiedEdges(model: Model): Promise<VerifyReport> {
  const extreme = constantTensor(model.input, model.input.bits === 1 ? 1 : -(2 ** (model.input.bits - 1)));
  return expectVerified(model, [extreme, randomTensor(model.input, 1), randomTensor(model.input, 2)], 9);
}
