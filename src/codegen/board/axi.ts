/**
 * The AXI4-Stream IP wrapper of a design: every width, count and register
 * address of templates/verilog/axis-top.v.hbs, computed here (the template only
 * substitutes them).
 *
 * Packing (what the PYNQ driver packs, driver.ts): one tensor element per beat,
 * in the golden vectors' order (HWC), each element in the low bits of a tdata of
 * whole bytes. Input: the low `inBits` bits of tdata are the element (two's
 * complement; a binary tensor as 0/1), the padding bits are ignored; tdata is
 * 8, 16, 32 or 64 bits. Output: the
 * element sign-extended to the tdata width (a binary tensor as 0/1), so the host
 * reads int8/int16/int32 directly. A frame always fills its last beat, so tkeep
 * is all ones on every beat (it is driven, and checked nowhere). One element per
 * beat is also the bare top's rate, so the wrapper adds no cycles per frame.
 */
import type { Model } from "../../ir/model.js";
import { packageVersion } from "../../util/paths.js";
import { sanitizeIdentifier, sext, zext } from "../../hw/verilog.js";
import { renderTemplate } from "../../hw/render.js";

/** AXI4-Lite register map (byte addresses, 32-bit registers). */
export const AXIL_REGISTERS = {
  /** RO: the first 32 bits of the model's sha256. */
  id: 0x00,
  /** RO: quantrtl version, major << 16 | minor << 8 | patch. */
  version: 0x04,
  /** bit 0 early tlast (frame too short), bit 1 late tlast (frame too long): W1C; bit 2 a frame is in flight (RO). */
  status: 0x08,
  /** RO: output frames completed since reset. */
  framesOut: 0x0c,
  /** RO: cycles from the first input beat to the last output beat of the last timed frame. */
  lastFrameCycles: 0x10,
  /** RO: elements (beats) per input frame. */
  frameIn: 0x14,
  /** RO: elements (beats) per output frame. */
  frameOut: 0x18,
  /** RO: input frames accepted since reset (including wrong-length ones). */
  framesIn: 0x1c,
} as const;

export const STATUS_BITS = { earlyTlast: 0, lateTlast: 1, busy: 2 } as const;

export interface AxisParams {
  readonly module: string;
  readonly core: string;
  readonly inBits: number;
  readonly outBits: number;
  readonly inTdataBits: number;
  readonly outTdataBits: number;
  readonly inKeepBits: number;
  readonly outKeepBits: number;
  /** Sign-extend the output element into its tdata (multi-bit tensors are two's complement). */
  readonly outSigned: boolean;
  /** m_axis_tdata from the core's out_data (sign- or zero-extended). */
  readonly outTdataExpr: string;
  /** Input padding bits of tdata the core does not read (0: none). */
  readonly inPadBits: number;
  readonly frameIn: number;
  readonly frameOut: number;
  /** Width of a counter over 0..frame-1 (at least 1). */
  readonly inCountBits: number;
  readonly outCountBits: number;
  readonly axilAddrBits: number;
  readonly idWord: string;
  readonly inLastIndex: number;
  readonly outLastIndex: number;
  /** m_axis_tkeep: every byte of every beat. */
  readonly outKeepAll: string;
  /** Word addresses of the registers (byte address / 4) as Verilog literals of axilAddrBits-2 bits: idWordAddr, statusWordAddr, … */
  readonly [wordAddr: `${string}WordAddr`]: string;
  readonly versionWord: string;
}

/** Bits of a counter that holds 0..n-1. */
export function counterBits(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(2, n))));
}

/** tdata width holding `bits`: 8, 16, 32 or 64 (whole bytes, a width the AXI DMA streams and numpy has a dtype for). */
export function byteWidth(bits: number): number {
  return Math.max(8, 2 ** Math.ceil(Math.log2(bits)));
}

export function versionWord(version: string): number {
  const [major, minor, patch] = version.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  return ((major & 0xff) << 16) | ((minor & 0xff) << 8) | (patch & 0xff);
}

const hex32 = (n: number) => `32'h${(n >>> 0).toString(16).padStart(8, "0")}`;

export function axisParams(model: Model, core: string, module: string): AxisParams {
  const last = model.layers[model.layers.length - 1].output;
  const inBits = model.input.bits;
  const outBits = last.bits;
  const frameIn = model.input.height * model.input.width * model.input.channels;
  const frameOut = last.height * last.width * last.channels;
  const registers = Object.values(AXIL_REGISTERS);
  // enough bits to address the highest register (byte addresses)
  const axilAddrBits = counterBits(Math.max(...registers) + 4);
  const wordAddrs = Object.fromEntries(Object.entries(AXIL_REGISTERS).map(([name, addr]) => [`${name}WordAddr`, `${axilAddrBits - 2}'d${addr / 4}`]));
  return {
    ...wordAddrs,
    module,
    core,
    inBits,
    outBits,
    inTdataBits: byteWidth(inBits),
    outTdataBits: byteWidth(outBits),
    inKeepBits: byteWidth(inBits) / 8,
    outKeepBits: byteWidth(outBits) / 8,
    outSigned: outBits > 1,
    outTdataExpr: outBits > 1 ? sext("core_out_data", outBits, byteWidth(outBits)) : zext("core_out_data", outBits, byteWidth(outBits)),
    inPadBits: byteWidth(inBits) - inBits,
    frameIn,
    frameOut,
    inCountBits: counterBits(frameIn),
    outCountBits: counterBits(frameOut),
    axilAddrBits,
    inLastIndex: frameIn - 1,
    outLastIndex: frameOut - 1,
    outKeepAll: `${byteWidth(outBits) / 8}'b${"1".repeat(byteWidth(outBits) / 8)}`,
    idWord: `32'h${model.hash.slice(0, 8)}`,
    versionWord: hex32(versionWord(packageVersion())),
  };
}

/** Name of the wrapper module of a design whose top is `core` (`<id>_top` → `<id>_axis_top`). */
export function axisModuleName(core: string): string {
  return core.replace(/_top$/, "") + "_axis_top";
}

/** rtl/<id>_axis_top.v: the AXI4-Stream / AXI4-Lite wrapper around the bare top `core`. */
export function emitAxisTop(model: Model, core: string): { module: string; path: string; content: string } {
  const module = axisModuleName(core);
  const header = [
    `// Generated by quantrtl ${packageVersion()} - do not edit.`,
    `// model: ${sanitizeIdentifier(model.name)}  sha256:${model.hash}`,
    `// AXI4-Stream IP wrapper of ${core}`,
  ].join("\n");
  return { module, path: `rtl/${module}.v`, content: renderTemplate("axis-top", { header, ...axisParams(model, core, module) }) };
}

/** One tdata word of an element value (golden word: two's complement, a binary tensor as ±1 ↔ 1/0) on the output side. */
export function outTdataWord(value: number, bits: number): bigint {
  const tdataBits = byteWidth(bits);
  if (bits === 1) return value > 0 ? 1n : 0n;
  // sign extension: the two's complement of the value in the whole tdata
  return BigInt(value) & ((1n << BigInt(tdataBits)) - 1n);
}

/** One tdata word of an input element: its two's-complement word in the low bits, zero padding above. */
export function inTdataWord(value: number, bits: number): bigint {
  if (bits === 1) return value > 0 ? 1n : 0n;
  return BigInt(value) & ((1n << BigInt(bits)) - 1n);
}
