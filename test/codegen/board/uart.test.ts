/** The UART harness's clocking and framing, against hand calculations. */
import { describe, expect, test } from "vitest";
import { packWords, uartClocking, uartFraming, uartUnitParams, unpackWords } from "../../../src/codegen/board/uart.js";
import { harnessPcf } from "../../../src/synth/pcf.js";
import { loadBoard } from "../../../src/ir/board.js";
import { loadModel } from "../../../src/ir/load.js";
import { QuantrtlError } from "../../../src/util/errors.js";

describe("UART clocking", () => {
  test("115200 baud at 12 MHz: 12e6 / 115200 = 104.17, divisor 104, 115384.6 baud, 0.16 % fast", () => {
    const c = uartClocking(12, 115200);
    expect(c.divisor).toBe(104);
    expect(c.actualBaud).toBeCloseTo(115384.615, 2);
    expect(c.error).toBeCloseTo(0.0016026, 6);
  });

  test("1 Mbaud at 12 MHz is exactly 12 cycles a bit; the receiver confirms the start bit 6 cycles in", () => {
    expect(uartClocking(12, 1_000_000)).toMatchObject({ divisor: 12, error: 0 });
    // 12 cycles: a 4-bit counter, reload 11 (0xb), half-bit wait of 6 counted 5..0
    expect(uartUnitParams(12)).toMatchObject({ CW: 4, lit: { divLast: "4'hb", halfLast: "4'h5" } });
  });

  test("a baud the clock cannot divide within 2 % is refused: 2.5 Mbaud at 12 MHz = 4.8 cycles, 5 gives 2.4 Mbaud (4 % slow)", () => {
    expect(() => uartClocking(12, 2_500_000)).toThrow(QuantrtlError);
    expect(() => uartClocking(12, 2_500_000)).toThrow(/4\.0 % off/);
    expect(() => uartClocking(12, 4_000_000)).toThrow(/too fast/); // 3 cycles a bit
  });
});

describe("UART framing", () => {
  test("16-bit words go LSB first in two bytes: -2 -> fe ff, 300 -> 2c 01", () => {
    const bytes = packWords([-2, 300], 16, 2);
    expect(Array.from(bytes)).toEqual([0xfe, 0xff, 0x2c, 0x01]);
    expect(unpackWords(bytes, 16, 2)).toEqual([0xfffe, 300]);
  });

  test("8-bit and 1-bit words take one byte each: -128 -> 80, a +1 binary element (bit 1) -> 01", () => {
    expect(Array.from(packWords([-128, 127, 0], 8, 1))).toEqual([0x80, 0x7f, 0x00]);
    expect(Array.from(packWords([1, 0], 1, 1))).toEqual([0x01, 0x00]);
  });

  test("mnist-xnor: a 28x28 8-bit image is 784 bytes, its reply (argmax class) one byte", () => {
    const f = uartFraming(loadModel("models/mnist-xnor.json"));
    expect(f).toMatchObject({ frameInBytes: 784, frameOutBytes: 1, bytesPerIn: 1, bytesPerOut: 1, outElements: 1 });
  });
});

describe("iCEBreaker PCF", () => {
  test("12 MHz clock on pin 35, UART RX 6 / TX 9, LEDs 11 (red) and 37 (green), as the board's schematic has them", () => {
    const pcf = harnessPcf(loadBoard("icebreaker"));
    expect(pcf).toMatch(/^set_io -nowarn clk 35$/m);
    expect(pcf).toMatch(/^set_frequency clk 12$/m);
    expect(pcf).toMatch(/^set_io -nowarn uart_rx 6$/m);
    expect(pcf).toMatch(/^set_io -nowarn uart_tx 9$/m);
    expect(pcf).toMatch(/^set_io -nowarn led_red_n 11$/m);
    expect(pcf).toMatch(/^set_io -nowarn led_green_n 37$/m);
  });

  test("a board without a pin table has no PCF", () => {
    expect(() => harnessPcf(loadBoard("pynq-z2"))).toThrow(/no pin table/);
  });
});
