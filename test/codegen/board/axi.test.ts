import { describe, expect, it } from "vitest";
import { AXIL_REGISTERS, axisModuleName, axisParams, byteWidth, counterBits, inTdataWord, outTdataWord, versionWord } from "../../../src/codegen/board/axi.js";
import { convModel } from "../../helpers/models.js";

describe("AXI4-Stream wrapper parameters", () => {
  it("pads elements to a DMA stream width: 1 → 8, 8 → 8, 9 → 16, 16 → 16, 17 → 32, 33 → 64", () => {
    expect([1, 8, 9, 16, 17, 32, 33].map(byteWidth)).toEqual([8, 8, 16, 16, 32, 32, 64]);
  });

  it("counts 0..n-1 in the fewest bits: 1 and 2 → 1, 784 → 10, 1024 → 10, 1025 → 11", () => {
    expect([1, 2, 3, 784, 1024, 1025].map(counterBits)).toEqual([1, 1, 2, 10, 10, 11]);
  });

  it("an int8 6x7x3 conv to 5 channels: 126 input beats, 210 output beats, 8-bit tdata, sign-extended output", () => {
    const model = convModel({ kernel: "mac", pe: 1, simd: 3 });
    const p = axisParams(model, "t_mac8_top", "t_mac8_axis_top");
    expect(p.frameIn).toBe(6 * 7 * 3);
    expect(p.frameOut).toBe(6 * 7 * 5);
    expect([p.inTdataBits, p.outTdataBits, p.inKeepBits, p.outKeepBits, p.inPadBits]).toEqual([8, 8, 1, 1, 0]);
    expect([p.inCountBits, p.outCountBits, p.inLastIndex, p.outLastIndex]).toEqual([7, 8, 125, 209]);
    expect(p.outTdataExpr).toBe("core_out_data");
    expect(p.outKeepAll).toBe("1'b1");
  });

  it("a binary (xnor) model: 1-bit elements in 8-bit tdata, 7 padding bits, output zero-extended", () => {
    const model = convModel({ kernel: "xnor", pe: 1, simd: 3 });
    const p = axisParams(model, "t_top", "t_axis_top");
    expect([p.inBits, p.inTdataBits, p.inPadBits, p.outBits, p.outTdataBits, p.outSigned]).toEqual([1, 8, 7, 1, 8, false]);
    expect(p.outTdataExpr).toBe("{ 7'd0, core_out_data }");
  });

  it("the ID register is the first 32 bits of the model's sha256; registers are 4 bytes apart and addressed in 5 bits", () => {
    const model = convModel({ kernel: "mac", pe: 1, simd: 3 });
    const p = axisParams(model, "a_top", "a_axis_top");
    expect(p.idWord).toBe(`32'h${model.hash.slice(0, 8)}`);
    expect(Object.values(AXIL_REGISTERS)).toEqual([0, 4, 8, 12, 16, 20, 24, 28]);
    // highest register 0x1c, its last byte 0x1f: 5 address bits, word addresses in 3
    expect(p.axilAddrBits).toBe(5);
    expect(p["statusWordAddr"]).toBe("3'd2");
    expect(p["framesInWordAddr"]).toBe("3'd7");
  });

  it("version 1.2.3 packs as 0x010203", () => {
    expect(versionWord("1.2.3")).toBe(0x010203);
    expect(versionWord("0.1.0")).toBe(0x000100);
  });

  it("tdata words: -3 in 8 bits is 0xfd; a 16-bit -3 is 0xfffd on output; an input byte keeps its low bits only", () => {
    expect(outTdataWord(-3, 8)).toBe(0xfdn);
    expect(outTdataWord(-3, 16)).toBe(0xfffdn);
    expect(outTdataWord(-3, 12)).toBe(0xfffdn); // sign-extended to 16
    expect(inTdataWord(-3, 12)).toBe(0xffdn); // zero padding above the element
    expect(outTdataWord(1, 1)).toBe(1n);
    expect(outTdataWord(0, 1)).toBe(0n);
  });

  it("the wrapper of <id>_top is <id>_axis_top", () => {
    expect(axisModuleName("mnist_adder_top")).toBe("mnist_adder_axis_top");
  });
});
