/**
 * The quantized IR: plain, readonly data, validated once at the edge (load.ts)
 * and trusted inside. Tensors are HWC; weights OHWI ([oc][ky][kx][ic]) so that a
 * weight row lines up with the sliding window's element order.
 */
import type { Datapath, ThresholdDirection } from "../quant/datapath.js";
import type { RequantParams } from "../quant/requant.js";

export interface TensorSpec {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** 1 (binary, ±1), 8 or 16 (signed). */
  readonly bits: number;
}

/** Folding of a matrix-vector engine: PE output channels and SIMD reduction lanes per cycle. */
export interface Folding {
  readonly pe: number;
  readonly simd: number;
}

export type OutputStage =
  | { readonly kind: "requant"; readonly params: RequantParams }
  | {
      readonly kind: "threshold";
      readonly thresholds: Int32Array;
      readonly directions: readonly ThresholdDirection[];
    };

/** Scales chosen at quantization time (real value = scale · integer). */
export interface LayerScales {
  readonly input?: number;
  readonly weight?: number;
  readonly output?: number;
  /** AdderNet: one scale shared by activations and weights (arXiv 2101.10015). */
  readonly shared?: number;
}

export interface Conv2dLayer {
  readonly kind: "conv2d";
  readonly name: string;
  readonly datapath: Datapath;
  readonly input: TensorSpec;
  readonly output: TensorSpec;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly weightBits: number;
  /** OHWI, length outChannels · kh · kw · inChannels; xnor weights are ±1. */
  readonly weights: Int32Array;
  readonly bias?: Int32Array;
  readonly out: OutputStage;
  readonly arch: Folding;
  readonly scales?: LayerScales;
}

export type Layer = Conv2dLayer;

export interface Model {
  readonly name: string;
  readonly description?: string;
  /** Path of the model file, when loaded from one (for error messages). */
  readonly file?: string;
  /** sha256 of the normalized model: written into every generated file's header. */
  readonly hash: string;
  readonly input: TensorSpec;
  readonly layers: readonly Layer[];
}

/** An integer tensor in HWC order. Binary tensors hold ±1. */
export interface IntTensor {
  readonly shape: readonly [number, number, number];
  readonly bits: number;
  readonly data: Int32Array;
}

export function reductionLength(layer: Conv2dLayer): number {
  return layer.kernel[0] * layer.kernel[1] * layer.input.channels;
}

export function outputPixels(layer: Conv2dLayer): number {
  return layer.output.height * layer.output.width;
}

export function convOutputSize(inSize: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((inSize + 2 * padding - kernel) / stride) + 1;
}
