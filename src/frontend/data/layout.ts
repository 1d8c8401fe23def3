/**
 * Where each value of a data sample goes in the model's input (HWC, the order
 * of our integer tensors). A sample [H, W, C] is NHWC data, [C, H, W] NCHW;
 * [H, W] and flat samples need no layout when the model's input has one
 * channel or one pixel. `--layout` settles the cases the shape cannot.
 */
import type { TensorSpec } from "../../ir/model.js";
import { QuantrtlError } from "../../util/errors.js";
import { DataArray, elementCount, shapeText } from "./array.js";

export type Layout = "nchw" | "nhwc";
export const LAYOUTS: readonly Layout[] = ["nchw", "nhwc"];

export interface SampleLayout {
  /** How the sample was read, for messages ("NCHW", "NHWC", "flat"). */
  readonly name: string;
  /** hwcIndex -> index within the data sample; undefined when the two orders are the same. */
  readonly sourceOf?: Int32Array;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** CHW sample order for each HWC position. */
function chwOrder(t: TensorSpec): Int32Array {
  const { height: H, width: W, channels: C } = t;
  const map = new Int32Array(H * W * C);
  for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) map[(h * W + w) * C + c] = c * H * W + h * W + w;
  return map;
}

/** The layout of `images` (leading axis = samples) for a model whose input is `t`. */
export function sampleLayout(images: DataArray, t: TensorSpec, layout: Layout | undefined, flag = "--layout"): SampleLayout {
  const sample = images.shape.slice(1);
  const { height: H, width: W, channels: C } = t;
  const want = `${H}×${W}×${C} (HWC)`;
  const mismatch = (why: string) =>
    new QuantrtlError(
      images.file,
      images.name,
      `${why}: samples of shape ${shapeText(sample)} do not fit the model's input ${want}`,
      `give an array [N, ${H}, ${W}, ${C}] (NHWC), [N, ${C}, ${H}, ${W}] (NCHW)${C === 1 ? ` or [N, ${H}, ${W}]` : ""}`,
    );
  if (images.shape.length < 2) throw mismatch(`the array has shape ${shapeText(images.shape)}, no sample axis`);
  if (elementCount(sample) !== H * W * C) throw mismatch(`${elementCount(sample)} values per sample, the model takes ${H * W * C}`);
  const nhwc = same(sample, [H, W, C]);
  const nchw = same(sample, [C, H, W]);
  // one channel or one pixel: CHW and HWC orders coincide
  const orderFree = C === 1 || H * W === 1;
  if (layout === "nhwc") {
    if (nhwc || sample.length !== 3) return { name: "NHWC" };
    throw mismatch(`${flag} nhwc`);
  }
  if (layout === "nchw") {
    if (nchw || sample.length !== 3) return orderFree ? { name: "NCHW" } : { name: "NCHW", sourceOf: chwOrder(t) };
    throw mismatch(`${flag} nchw`);
  }
  if (orderFree) {
    // a flat or [H, W] sample, or one whose non-unit axes are the model's: read in C order
    const nonUnit = sample.filter((d) => d !== 1);
    const modelNonUnit = [H, W, C].filter((d) => d !== 1);
    if (nhwc || nchw || sample.length === 1 || same(nonUnit, modelNonUnit))
      return { name: nhwc ? "NHWC" : nchw ? "NCHW" : sample.length === 2 ? "NHW" : "flat" };
    // a vector input (1×1×K) takes a one-channel image in C order, the order a flatten of it gives in NCHW and NHWC alike
    if (H * W === 1 && nonUnit.length <= 2) return { name: "flat" };
    if (H * W === 1)
      throw new QuantrtlError(
        images.file,
        images.name,
        `samples ${shapeText(sample)} have several channels: their order in the model's ${C}-value input is not known`,
        `reshape them to [N, ${C}] in the order the model flattens its input`,
      );
    throw mismatch("the axes do not match");
  }
  if (nhwc && nchw)
    throw new QuantrtlError(
      images.file,
      images.name,
      `samples ${shapeText(sample)} read as NHWC and NCHW alike`,
      `say which with ${flag} nchw or ${flag} nhwc`,
    );
  if (nhwc) return { name: "NHWC" };
  if (nchw) return { name: "NCHW", sourceOf: chwOrder(t) };
  if (sample.length === 1)
    throw new QuantrtlError(
      images.file,
      images.name,
      `flat samples of ${sample[0]} values do not say whether they are CHW or HWC`,
      `say which with ${flag} nchw or ${flag} nhwc`,
    );
  throw mismatch("the axes do not match");
}
