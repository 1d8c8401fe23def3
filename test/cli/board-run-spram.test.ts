/**
 * `quantrtl board run` with weights in SPRAM: the host sends the weight load image before the first
 * frame (the SPRAM is empty after configuration), the virtual board's harness routes those bytes to
 * the weight-load port, and the replies then equal the golden. The tiny dense model has 4 × 8 weights
 * of 8 bits at pe 1, simd 2: 16 words of 16 bits, 32 bytes, which are its weights in [out][in] order
 * as bytes (word (oc, sf) holds w[oc][2·sf] low and w[oc][2·sf + 1] high, sent least significant first).
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { writeTinyDense } from "../helpers/board-models.js";
import { ByteQueue, openVirtualBoard, runOnBoard, SerialTransport } from "../../src/flows/board-run.js";
import { uartFraming } from "../../src/codegen/board/uart.js";
import { loadModel } from "../../src/ir/load.js";
import { loadBoard } from "../../src/ir/board.js";
import { randomTensor } from "../../src/ir/inputs.js";
import { placeWeights } from "../../src/flows/spram.js";

const BOARD_LINE = /^board \(virtual board .*\): (\d+)\/(\d+) replies equal to the golden/m;

function tinySpram() {
  const file = writeTinyDense(testDir("quantrtl-board-spram-"));
  const weights = (JSON.parse(readFileSync(file, "utf8")) as { layers: { weights: number[] }[] }).layers[0].weights;
  return { file, weights, model: placeWeights(loadModel(file), loadBoard("icebreaker"), "spram").model };
}

describe("board run with weights in SPRAM", () => {
  test("--weight-memory spram on the virtual board at 1 Mbaud: the 32-byte load, then 3/3 replies equal to the golden", async () => {
    const { file } = tinySpram();
    const r = await runCli(["board", "run", file, "--board", "icebreaker", "--weight-memory", "spram", "--virtual", "--limit", "3", "--baud", "1000000"], {
      timeoutMs: 600_000,
    });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^weight load \(once after configuration.*\): 32 bytes, /m);
    const m = r.stdout.match(BOARD_LINE)!;
    expect([Number(m[1]), Number(m[2])]).toEqual([3, 3]);
  }, 600_000);

  test("the host sends the weight load image first, then each frame: the image is the weights as bytes", async () => {
    const { model, weights } = tinySpram();
    const framing = uartFraming(model);
    const writes: Uint8Array[] = [];
    const queue = new ByteQueue();
    const transport: SerialTransport = {
      label: "recorder",
      write: async (b) => {
        writes.push(Uint8Array.from(b));
        // a reply (any bytes) per frame, none for the load
        if (writes.length > 1) queue.push(new Uint8Array(framing.frameOutBytes));
      },
      read: (n, t) => queue.read(n, t, "recorder"),
      // a simulated board's report: its cycles include the load's time on the line
      close: async () => ({ cycles: 1_200_000 }),
    };
    const inputs = [randomTensor(model.input, 1), randomTensor(model.input, 2)];
    const r = await runOnBoard(model, inputs, transport, framing, { clockHz: 12e6, baud: 115200 });
    expect(writes).toHaveLength(3);
    expect(Array.from(writes[0])).toEqual(weights.map((w) => w & 0xff));
    expect(writes[1]).toHaveLength(framing.frameInBytes);
    expect(r.loadBytes).toBe(32);
    // 32 bytes of 10 bits at 115200 baud, taken out of the frames' time (1.2 M cycles at 12 MHz = 0.1 s)
    expect(r.loadSeconds).toBeCloseTo(320 / 115200, 9);
    expect(r.seconds).toBeCloseTo(0.1 - 320 / 115200, 9);
    expect(r.imagesPerSecond).toBeCloseTo(2 / (0.1 - 320 / 115200), 6);
  });

  test("a board loaded with the wrong weights (every byte inverted) does not answer the golden", async () => {
    const { model } = tinySpram();
    const board = loadBoard("icebreaker");
    const vb = await openVirtualBoard(model, board, 1_000_000);
    let first = true;
    const corrupting: SerialTransport = {
      ...vb,
      write: (b) => {
        const out = first ? b.map((x) => x ^ 0xff) : b;
        first = false;
        return vb.write(out);
      },
    };
    const inputs = [randomTensor(model.input, 1), randomTensor(model.input, 2), randomTensor(model.input, 3)];
    const r = await runOnBoard(model, inputs, corrupting, vb.framing, { clockHz: 12e6, baud: 1_000_000 });
    expect(r.images).toBe(3);
    expect(r.matched).toBeLessThan(3);
  }, 600_000);
});
