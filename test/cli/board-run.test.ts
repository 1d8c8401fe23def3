/**
 * `quantrtl board run --virtual`: the host tool, the framing and the UART RTL
 * together, against the Verilator model of the whole harness top with bit-level
 * serial lines. And the host's check itself, on a transport that answers wrongly.
 */
import { describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { writeTinyDense } from "../helpers/board-models.js";
import { ByteQueue, runOnBoard, SerialTransport } from "../../src/flows/board-run.js";
import { uartFraming } from "../../src/codegen/board/uart.js";
import { loadModel } from "../../src/ir/load.js";
import { randomTensor } from "../../src/ir/inputs.js";

const BOARD_LINE = /^board \(virtual board .*\): (\d+)\/(\d+) replies equal to the golden, ([\d.]+) images\/s at (\d+) baud, 12 MHz \((\d+) simulated cycles/m;

describe("quantrtl board run --virtual", () => {
  test("a tiny dense network at 1 Mbaud: 5/5 replies equal to the golden, images/s from the simulated cycles", async () => {
    const model = writeTinyDense(testDir("quantrtl-board-"));
    const r = await runCli(["board", "run", model, "--board", "icebreaker", "--virtual", "--limit", "5", "--baud", "1000000"], { timeoutMs: 600_000 });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const m = r.stdout.match(BOARD_LINE)!;
    expect(m).not.toBeNull();
    expect([Number(m[1]), Number(m[2])]).toEqual([5, 5]);
    const cycles = Number(m[5]);
    // each frame: 8 elements x 2 bytes in, 4 x 2 bytes out, 10 bits a byte at 12 cycles a bit = 2880 cycles on the wires alone
    expect(cycles).toBeGreaterThanOrEqual(5 * 2880);
    // and the network takes tens of cycles, not thousands: well under twice the wire time
    expect(cycles).toBeLessThan(5 * 2 * 2880);
    expect(Number(m[3])).toBeCloseTo(5 / (cycles / 12e6), 1);
  }, 600_000);

  test("a real port is opened through the serialport package: a device that is not there is exit 1 naming --port and the device", async () => {
    const model = writeTinyDense(testDir("quantrtl-board-"));
    const r = await runCli(["board", "run", model, "--board", "icebreaker", "--port", "/dev/ttyQUANTRTL-none", "--limit", "1"]);
    expect(r.status).toBe(1);
    // serialport's own error (ENOENT from its native binding), one line, no stack
    expect(r.stderr).toMatch(/^error: --port: cannot open \/dev\/ttyQUANTRTL-none: .*No such file or directory/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test("--virtual and --port together are refused", async () => {
    const model = writeTinyDense(testDir("quantrtl-board-"));
    const r = await runCli(["board", "run", model, "--virtual", "--port", "/dev/ttyUSB1"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--port: cannot be combined with --virtual/);
  });
});

describe("host check", () => {
  test("a reply that differs from the golden is counted as a mismatch, with both words", async () => {
    const model = loadModel(writeTinyDense(testDir("quantrtl-board-")));
    const framing = uartFraming(model);
    const queue = new ByteQueue();
    // a board that answers every frame with all-ones words (0xffff), which the golden of these inputs is not
    const transport: SerialTransport = {
      label: "wrong board",
      write: async () => queue.push(new Uint8Array(framing.frameOutBytes).fill(0xff)),
      read: (n, t) => queue.read(n, t, "wrong board"),
      close: async () => ({ cycles: 1000 }),
    };
    const inputs = [randomTensor(model.input, 1), randomTensor(model.input, 2)];
    const r = await runOnBoard(model, inputs, transport, framing, { clockHz: 12e6, baud: 115200 });
    expect(r.matched).toBe(0);
    expect(r.mismatches).toHaveLength(2);
    expect(r.mismatches[0].actual).toEqual([0xffff, 0xffff, 0xffff, 0xffff]);
    expect(r.mismatches[0].expected).not.toEqual(r.mismatches[0].actual);
  });

  test("a line that fails while a reply is awaited rejects the read at once, not at its timeout", async () => {
    const queue = new ByteQueue();
    const pending = queue.read(4, 60_000, "port");
    queue.push(new Uint8Array([1, 2]));
    queue.fail(new Error("device unplugged"));
    await expect(pending).rejects.toThrow("device unplugged");
  });
});
