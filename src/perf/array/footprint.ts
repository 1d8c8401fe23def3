/**
 * Operand footprints of one buffer tile: how many elements of A (ifmap), B
 * (weights) and C (ofmap) a tile of m GEMM rows × k reduction elements × n
 * output columns holds on chip, and hence what it costs to fetch from DRAM.
 */
import type { ArrayArch } from "./arch.js";
import type { ElementBits, Gemm } from "./workload.js";

/**
 * Ifmap elements behind an m × k block of the GEMM's A operand. A plain matrix
 * needs m·k. A conv's A is the im2col view of an image, whose windows overlap:
 * the buffer holds the input pixels those m output pixels read, not the
 * expanded rows.
 *   m ≥ outW (whole output rows, r = ceil(m/outW)): input rows (r−1)·stride + kH;
 *   m < outW (part of one output row): kH input rows × ((m−1)·stride + kW) columns;
 * both clamped to the image (padding is not fetched). A k-slice of the
 * reduction takes the same fraction k/K of the channels. The result never
 * exceeds m·k: with stride > kernel (a 1×1 stride-2 projection) the skipped
 * pixels are not fetched.
 */
export function ifmapTileElements(gemm: Gemm, m: number, k: number): number {
  const expanded = m * k;
  const layout = gemm.ifmap;
  if (layout.kind === "matrix") return expanded;
  let pixels: number;
  if (m >= layout.outW) {
    const outRows = Math.ceil(m / layout.outW);
    pixels = Math.min(layout.inH, (outRows - 1) * layout.stride + layout.kH) * layout.inW;
  } else {
    pixels = Math.min(layout.inH, layout.kH) * Math.min(layout.inW, (m - 1) * layout.stride + layout.kW);
  }
  return Math.min(expanded, Math.ceil((pixels * layout.channels * k) / gemm.K));
}

/** Bytes of `elements` values of `bits` each, rounded up to whole bytes (1-bit values are packed). */
export function bytesOf(elements: number, bits: number): number {
  return Math.ceil((elements * bits) / 8);
}

export interface TileFootprint {
  readonly ifmapBytes: number;
  readonly weightBytes: number;
  readonly ofmapBytes: number;
}

/**
 * Buffer bytes one full-size tile occupies. The ofmap tile holds accumulators
 * when the reduction is split — across k tiles (kTrips > 1) or, in ws, across
 * the array's row folds (k > R) — and final requantized outputs otherwise.
 */
export function tileFootprint(gemm: Gemm, bits: ElementBits, arch: ArrayArch, m: number, k: number, n: number, kTrips: number): TileFootprint {
  const partial = kTrips > 1 || (arch.dataflow === "ws" && k > arch.rows);
  return {
    ifmapBytes: bytesOf(ifmapTileElements(gemm, m, k), bits.activation),
    weightBytes: bytesOf(k * n, bits.weight),
    ofmapBytes: bytesOf(m * n, partial ? bits.accumulator : bits.output),
  };
}

/** Double buffering: each buffer holds the tile being computed and the next one being fetched, so a tile gets half. */
export function fitsBuffers(footprint: TileFootprint, arch: ArrayArch): boolean {
  return (
    2 * footprint.ifmapBytes <= arch.ifmapBufferBytes &&
    2 * footprint.weightBytes <= arch.weightBufferBytes &&
    2 * footprint.ofmapBytes <= arch.ofmapBufferBytes
  );
}
