/**
 * The UART harness around a generated top, for a board with only a serial line to
 * its host (the iCEBreaker's FTDI channel B). Framing, 8N1 at `baud`:
 * - in: one frame = the model's input tensor in stream order (HWC), each element
 *   as ceil(inBits/8) bytes, least significant byte first, the element's two's-
 *   complement word zero-padded to whole bytes (a binary ±1 element is its bit: 1 ↔ +1);
 * - out: the output tensor the same way (ceil(outBits/8) bytes per element, LSB
 *   first): for a model ending in argmax, one byte per image, the class.
 * The host sends a frame and waits for its reply: the harness buffers a whole input
 * frame (a FIFO of one frame), so the line never waits on the network.
 * A design with loadable weight RAMs (Design.weightLoad) first takes its load image: the
 * first `loadBytes` bytes after configuration (codegen/weight-load.ts), without a reply.
 */
import { Model } from "../../ir/model.js";
import { QuantrtlError } from "../../util/errors.js";
import { literal, zext } from "../../hw/verilog.js";
import { counterBits } from "../../arith/widths.js";
import { renderTemplate } from "../../hw/render.js";
import { fifoParams } from "../../hw/units/stream/params.js";
import { Design, GeneratedFile, modelIdentifier } from "../design.js";
import { packageVersion } from "../../util/paths.js";
import { weightLoadBytes } from "../weight-load.js";

export const DEFAULT_BAUD = 115200;
/** A UART receiver samples mid-bit: over ten bits the clocks may drift apart by under half a bit, so 2 % leaves both ends room. */
export const MAX_BAUD_ERROR = 0.02;

export interface UartClocking {
  readonly clockHz: number;
  readonly baud: number;
  /** Clock cycles per bit: round(clockHz / baud). */
  readonly divisor: number;
  /** The baud the divisor gives, and its relative error against the one asked for. */
  readonly actualBaud: number;
  readonly error: number;
}

export function uartClocking(clockMHz: number, baud: number): UartClocking {
  const clockHz = Math.round(clockMHz * 1e6);
  if (!Number.isInteger(baud) || baud <= 0)
    throw new QuantrtlError(undefined, "--baud", `"${baud}" is not a baud rate`, "give a positive integer, e.g. 115200");
  const divisor = Math.round(clockHz / baud);
  // the receiver waits half a bit after the start edge: at least 4 cycles a bit keeps that wait non-zero and the sample mid-bit
  if (divisor < 4)
    throw new QuantrtlError(
      undefined,
      "--baud",
      `${baud} baud is too fast for a ${clockMHz} MHz clock (${(clockHz / baud).toFixed(2)} cycles per bit)`,
      `use at most ${Math.floor(clockHz / 4)} baud`,
    );
  const actualBaud = clockHz / divisor;
  const error = Math.abs(actualBaud - baud) / baud;
  if (error > MAX_BAUD_ERROR) {
    throw new QuantrtlError(
      undefined,
      "--baud",
      `${baud} baud is ${(error * 100).toFixed(1)} % off with a ${clockMHz} MHz clock (divisor ${divisor} gives ${actualBaud.toFixed(0)})`,
      `choose a baud within ${MAX_BAUD_ERROR * 100} % of ${clockHz} / n, e.g. 115200 or 1000000 at 12 MHz`,
    );
  }
  return { clockHz, baud, divisor, actualBaud, error };
}

export interface UartFraming {
  readonly inBits: number;
  readonly outBits: number;
  readonly inElements: number;
  readonly outElements: number;
  readonly bytesPerIn: number;
  readonly bytesPerOut: number;
  readonly frameInBytes: number;
  readonly frameOutBytes: number;
}

export function uartFraming(model: Model): UartFraming {
  const size = (t: { height: number; width: number; channels: number }) => t.height * t.width * t.channels;
  const last = model.layers[model.layers.length - 1].output;
  const bytesPerIn = Math.ceil(model.input.bits / 8);
  const bytesPerOut = Math.ceil(last.bits / 8);
  return {
    inBits: model.input.bits,
    outBits: last.bits,
    inElements: size(model.input),
    outElements: size(last),
    bytesPerIn,
    bytesPerOut,
    frameInBytes: size(model.input) * bytesPerIn,
    frameOutBytes: size(last) * bytesPerOut,
  };
}

/** Words (stream words: two's complement, a binary element as its bit) to bytes, each word LSB first in `bytesPer` bytes. */
export function packWords(words: readonly number[], bits: number, bytesPer: number): Uint8Array {
  const out = new Uint8Array(words.length * bytesPer);
  const mask = (1n << BigInt(bits)) - 1n;
  words.forEach((w, i) => {
    let v = BigInt(w) & mask;
    for (let b = 0; b < bytesPer; b++, v >>= 8n) out[i * bytesPer + b] = Number(v & 0xffn);
  });
  return out;
}

/** Bytes back to unsigned words of `bits` bits (LSB first, `bytesPer` bytes each). */
export function unpackWords(bytes: Uint8Array, bits: number, bytesPer: number): number[] {
  const words: number[] = [];
  for (let i = 0; i + bytesPer <= bytes.length; i += bytesPer) {
    let v = 0n;
    for (let b = bytesPer - 1; b >= 0; b--) v = (v << 8n) | BigInt(bytes[i + b]);
    words.push(Number(v & ((1n << BigInt(bits)) - 1n)));
  }
  return words;
}

export interface UartHarness {
  readonly topModule: string;
  /** rtl/<id>_uart_*.v and the input FIFO, to add beside the design's files. */
  readonly files: readonly GeneratedFile[];
  /** Every Verilog source (design's, then the harness's), relative to rtl/. */
  readonly sources: readonly string[];
  readonly clocking: UartClocking;
  readonly framing: UartFraming;
  /** Bytes of the weight load image the harness takes after configuration, before any frame (0: every weight is a ROM). */
  readonly loadBytes: number;
}

function header(model: Model, what: string): string {
  return [`// Generated by quantrtl ${packageVersion()} - do not edit.`, `// model: ${modelIdentifier(model)}  sha256:${model.hash}`, `// ${what}`].join("\n");
}

/** The template parameters of the receiver and transmitter: the divisor's counter and its literals. */
export function uartUnitParams(divisor: number) {
  const CW = counterBits(divisor);
  // the receiver samples the start bit half a bit after it first sees the line low (the synchroniser delays every sample alike)
  const half = Math.max(1, Math.floor(divisor / 2));
  return { CW, lit: { zero: literal(0, CW), one: literal(1, CW), divLast: literal(divisor - 1, CW), halfLast: literal(half - 1, CW) } };
}

export function uartHarness(model: Model, design: Design, clockMHz: number, baud = DEFAULT_BAUD): UartHarness {
  const clocking = uartClocking(clockMHz, baud);
  const framing = uartFraming(model);
  const id = modelIdentifier(model);
  const unit = uartUnitParams(clocking.divisor);
  const rx = `${id}_uart_rx`;
  const tx = `${id}_uart_tx`;
  const fifo = `${id}_uart_in_fifo`;
  const top = `${id}_uart_top`;
  const IBW = framing.bytesPerIn * 8;
  const OBW = framing.bytesPerOut * 8;
  const IC = counterBits(framing.bytesPerIn);
  const OC = counterBits(framing.bytesPerOut + 1);
  const loadBytes = weightLoadBytes(model);
  const weightLoad = design.weightLoad.length > 0;
  const files: GeneratedFile[] = [
    {
      path: `rtl/${rx}.v`,
      content: renderTemplate("uart-rx", { header: header(model, `UART receiver, 8N1, ${clocking.divisor} cycles per bit`), module: rx, ...unit }),
    },
    {
      path: `rtl/${tx}.v`,
      content: renderTemplate("uart-tx", { header: header(model, `UART transmitter, 8N1, ${clocking.divisor} cycles per bit`), module: tx, ...unit }),
    },
    {
      path: `rtl/${fifo}.v`,
      content: renderTemplate("stream-fifo", {
        ...fifoParams(fifo, framing.inBits, framing.inElements),
        header: header(model, `UART harness input FIFO: one frame of ${framing.inElements} elements`),
      }),
    },
    {
      path: `rtl/${top}.v`,
      content: renderTemplate("uart-top", {
        header: header(model, `UART harness top: ${baud} baud 8N1 at ${clockMHz} MHz (divisor ${clocking.divisor})`),
        module: top,
        core: design.topModule,
        rx,
        tx,
        fifo,
        baud,
        clockMHz,
        divisor: clocking.divisor,
        inBits: framing.inBits,
        outBits: framing.outBits,
        IBW,
        OBW,
        IC,
        OC,
        bytesPerIn: framing.bytesPerIn,
        bytesPerOut: framing.bytesPerOut,
        inElements: framing.inElements,
        outElements: framing.outElements,
        weightLoad,
        loadBytes,
        loadEngines: design.weightLoad.map((i) => model.layers[i].name).join(", "),
        rxFrame: weightLoad ? "rx_frame" : "rx_valid",
        // the element the last byte completes: the byte on top of the ones before it
        multiByteIn: framing.bytesPerIn > 1,
        accBits: IBW - 8,
        inNext: IBW === 8 ? "rx_byte" : "{ rx_byte, in_acc }",
        inElement: IBW === framing.inBits ? "in_next" : `in_next[${framing.inBits - 1}:0]`,
        outLoad: zext("core_out_data", framing.outBits, OBW),
        outShift: OBW === 8 ? "8'd0" : `{ 8'd0, out_shift[${OBW - 1}:8] }`,
        lit: {
          inFirst: literal(0, IC),
          inOne: literal(1, IC),
          inLast: literal(framing.bytesPerIn - 1, IC),
          outZero: literal(0, OC),
          outOne: literal(1, OC),
          outBytes: literal(framing.bytesPerOut, OC),
        },
      }),
    },
  ];
  const own = files.map((f) => f.path.slice("rtl/".length));
  return { topModule: top, files, sources: [...design.sources, ...own], clocking, framing, loadBytes };
}
