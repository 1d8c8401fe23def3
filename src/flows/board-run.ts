/**
 * The host tool of the UART harness: sends real samples to a board (a serial
 * port, or the virtual board: the Verilator model of the same harness top) one
 * frame at a time, reads each reply and checks it word for word against the
 * golden output. The transport is an interface, so the same host code drives
 * both; the `serialport` package is imported only when a real port is opened.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { IntTensor, Model } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { runGolden } from "../hw/golden/network.js";
import { tensorWords } from "../codegen/vectors.js";
import { generateDesign } from "../codegen/design.js";
import { packWords, UartFraming, uartHarness, unpackWords } from "../codegen/board/uart.js";
import { modelWeightLoadImage } from "../codegen/weight-load.js";
import { makeTempDir, removeDir, writeFiles } from "../util/atomic.js";
import { QuantrtlError, ToolError } from "../util/errors.js";
import { buildVirtualBoard, VirtualBoard } from "../verify/uart-board.js";

/** A serial line to a board: bytes out, bytes in (with a deadline), and an end. */
export interface SerialTransport {
  readonly label: string;
  write(bytes: Uint8Array): Promise<void>;
  /** Resolves with exactly `count` bytes, or rejects when they have not all come within `timeoutMs`. */
  read(count: number, timeoutMs: number): Promise<Uint8Array>;
  /** Ends the session; the virtual board tells its simulated cycles. */
  close(): Promise<{ readonly cycles?: number }>;
}

/** Bytes that arrived and readers waiting for them: what both transports share. */
export class ByteQueue {
  private buffer: number[] = [];
  private waiter?: { count: number; resolve: (b: Uint8Array) => void; reject: (e: Error) => void };
  private failure?: Error;

  push(bytes: Uint8Array): void {
    for (const b of bytes) this.buffer.push(b);
    this.settle();
  }

  /** The line failed (a port error): a pending read and every later one reject with `err`. */
  fail(err: Error): void {
    this.failure = err;
    this.settle();
  }

  read(count: number, timeoutMs: number, what: string): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new ToolError(what, `no reply: ${this.buffer.length} of ${count} byte(s) within ${timeoutMs / 1000} s`, what));
      }, timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.waiter = undefined;
        f();
      };
      this.waiter = { count, resolve: (b) => done(() => resolve(b)), reject: (e) => done(() => reject(e)) };
      this.settle();
    });
  }

  private settle(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.buffer.length >= w.count) w.resolve(Uint8Array.from(this.buffer.splice(0, w.count)));
    else if (this.failure) w.reject(this.failure);
  }
}

/** A real board on a serial port (8N1), through the `serialport` package, imported here and only here. */
export async function openSerialPort(path: string, baud: number): Promise<SerialTransport> {
  const moduleName = "serialport";
  let SerialPort: new (o: { path: string; baudRate: number; dataBits: 8; stopBits: 1; parity: "none"; autoOpen: false }) => {
    open(cb: (err: Error | null) => void): void;
    write(b: Uint8Array, cb: (err: Error | null | undefined) => void): void;
    drain(cb: (err: Error | null) => void): void;
    close(cb: (err: Error | null) => void): void;
    on(event: "data", cb: (d: Buffer) => void): void;
    on(event: "error", cb: (e: Error) => void): void;
  };
  try {
    ({ SerialPort } = (await import(moduleName)) as { SerialPort: typeof SerialPort });
  } catch {
    throw new ToolError("serialport", "the serialport package is not installed", "import serialport", "npm install serialport (or use --virtual)");
  }
  const port = new SerialPort({ path, baudRate: baud, dataBits: 8, stopBits: 1, parity: "none", autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) =>
      err
        ? reject(new QuantrtlError(undefined, "--port", `cannot open ${path}: ${err.message}`, "check the device (ls /dev/ttyUSB*) and its permissions"))
        : resolve(),
    ),
  );
  const queue = new ByteQueue();
  port.on("data", (d) => queue.push(new Uint8Array(d)));
  port.on("error", (e) => queue.fail(new ToolError("serialport", e.message, path)));
  return {
    label: `${path} at ${baud} baud`,
    write: (bytes) => new Promise((resolve, reject) => port.write(bytes, (err) => (err ? reject(err) : port.drain((e) => (e ? reject(e) : resolve()))))),
    read: (count, timeoutMs) => queue.read(count, timeoutMs, path),
    close: () => new Promise((resolve) => port.close(() => resolve({}))),
  };
}

/** The virtual board of `model` (built in a temporary folder, which is removed when the session closes). */
export async function openVirtualBoard(
  model: Model,
  board: Board,
  baud: number,
  onProgress?: (m: string) => void,
): Promise<SerialTransport & { readonly framing: UartFraming }> {
  const design = generateDesign(model);
  const harness = uartHarness(model, design, board.clockMHz, baud);
  const work = makeTempDir("quantrtl-board-");
  try {
    const rtlDir = join(work, "rtl");
    mkdirSync(rtlDir, { recursive: true });
    writeFiles(work, [...design.files, ...harness.files]);
    const binary = await buildVirtualBoard(rtlDir, harness.sources, harness.topModule, onProgress);
    const queue = new ByteQueue();
    const vb = new VirtualBoard(
      binary,
      rtlDir,
      { clockHz: harness.clocking.clockHz, baud, frameIn: harness.framing.frameInBytes, frameOut: harness.framing.frameOutBytes, preamble: harness.loadBytes },
      (b) => queue.push(b),
    );
    return {
      label: `virtual board (Verilator model of ${harness.topModule}) at ${baud} baud`,
      framing: harness.framing,
      write: (bytes) => vb.write(bytes),
      read: (count, timeoutMs) => queue.read(count, timeoutMs, "virtual board"),
      close: async () => {
        try {
          const stats = await vb.close();
          if (stats.framingErrors || stats.ledRed)
            throw new ToolError(
              "virtual board",
              `the harness flagged an error (framing errors ${stats.framingErrors}, red LED ${stats.ledRed})`,
              "uart_main",
              vb.report,
            );
          return { cycles: stats.cycles };
        } finally {
          vb.stop();
          removeDir(work);
        }
      },
    };
  } catch (err) {
    removeDir(work);
    throw err;
  }
}

export interface BoardRunResult {
  readonly images: number;
  /** Replies equal, word for word, to the golden output. */
  readonly matched: number;
  readonly mismatches: readonly { readonly index: number; readonly expected: readonly number[]; readonly actual: readonly number[] }[];
  /** Simulated cycles (virtual board) or undefined (a real board: wall-clock time instead); the weight load included. */
  readonly cycles?: number;
  /** Time of the frames alone (the weight load excluded). */
  readonly seconds: number;
  readonly imagesPerSecond: number;
  /** The weight load image sent once before the first frame (0 bytes: every weight is a ROM), and its time on the line. */
  readonly loadBytes: number;
  readonly loadSeconds: number;
}

/** Sends each input as a frame and checks each reply against the golden output (its last layer, masked to the stream width). */
export async function runOnBoard(
  model: Model,
  inputs: readonly IntTensor[],
  transport: SerialTransport,
  framing: UartFraming,
  options: { clockHz: number; baud: number; replyTimeoutMs?: number; onProgress?: (m: string) => void },
): Promise<BoardRunResult> {
  const mask = 2 ** framing.outBits - 1;
  const mismatches: { index: number; expected: number[]; actual: number[] }[] = [];
  let matched = 0;
  let closed = false;
  // loadable weight RAMs (SPRAM) are empty after configuration: their image goes first, once, with no reply
  const image = modelWeightLoadImage(model);
  // 8N1: ten bit times a byte, back to back (the virtual board sends them so; a real line is no faster)
  const loadLineSeconds = (image.length * 10) / options.baud;
  const loadStart = Date.now();
  try {
    if (image.length > 0) {
      options.onProgress?.(`board: sending the weight load image, ${image.length} bytes (${loadLineSeconds.toFixed(2)} s at ${options.baud} baud)`);
      await transport.write(image);
    }
    const loadWall = (Date.now() - loadStart) / 1000;
    const start = Date.now();
    for (const [index, x] of inputs.entries()) {
      const golden = runGolden(model, x).layers[model.layers.length - 1];
      const expected = tensorWords(golden).map((w) => Number(BigInt(w) & BigInt(mask)));
      await transport.write(packWords(tensorWords(x), framing.inBits, framing.bytesPerIn));
      const actual = unpackWords(await transport.read(framing.frameOutBytes, options.replyTimeoutMs ?? 120_000), framing.outBits, framing.bytesPerOut);
      if (actual.length === expected.length && actual.every((w, i) => w === expected[i])) matched++;
      else mismatches.push({ index, expected, actual });
      if ((index + 1) % 10 === 0) options.onProgress?.(`board: ${index + 1}/${inputs.length} frames, ${matched} equal to the golden`);
    }
    const { cycles } = await transport.close();
    closed = true;
    // the virtual board's cycles include the load's line time; a real port's write resolves once the image is drained
    const seconds = cycles !== undefined ? cycles / options.clockHz - loadLineSeconds : (Date.now() - start) / 1000;
    const loadSeconds = cycles !== undefined ? loadLineSeconds : loadWall;
    return { images: inputs.length, matched, mismatches, cycles, seconds, imagesPerSecond: inputs.length / seconds, loadBytes: image.length, loadSeconds };
  } finally {
    if (!closed) await transport.close().catch(() => undefined);
  }
}
