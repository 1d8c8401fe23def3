/**
 * The PYNQ driver's packing (driver/<id>.py, plain-Python part; numpy is not
 * installed here, so the numpy and pynq paths are not run) against hand-computed
 * words and against the golden vector files the RTL is proven on.
 */
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeBoardPackage } from "../../../src/flows/board.js";
import { loadBoard } from "../../../src/ir/board.js";
import { randomTensor } from "../../../src/ir/inputs.js";
import { runGolden } from "../../../src/hw/golden/network.js";
import type { Model } from "../../../src/ir/model.js";
import { run } from "../../../src/util/process.js";
import { convModel } from "../../helpers/models.js";
import { testDir } from "../../helpers/temp.js";

/** Runs `code` in python3 with the driver imported as `d`; returns its stdout parsed as JSON. */
async function python(driver: string, code: string): Promise<unknown> {
  const dir = testDir("driver-py-");
  const script = join(dir, "check.py");
  writeFileSync(
    script,
    `import importlib.util, json\nspec = importlib.util.spec_from_file_location("d", ${JSON.stringify(driver)})\nd = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(d)\n${code}\n`,
  );
  const r = await run("python3", [script]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

function hexWords(file: string): number[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.replace(/\/\/.*$/, "").trim())
    .filter((l) => l !== "")
    .map((l) => Number.parseInt(l, 16));
}

function boardPackage(model: Model, frames: number) {
  const inputs = Array.from({ length: frames }, (_, i) => randomTensor(model.input, 40 + i));
  const { dir } = writeBoardPackage(model, loadBoard("pynq-z2"), join(testDir("driver-pkg-"), "pkg"), inputs);
  return { dir, inputs, driver: join(dir, "driver", `${model.name}.py`) };
}

describe("PYNQ driver packing", () => {
  it("int8: -3, 5, -128, 127 pack to 0xfd, 0x05, 0x80, 0x7f; 128 is refused; output bytes unpack as signed", async () => {
    const { driver } = boardPackage(convModel({ name: "d_mac8", kernel: "mac", pe: 1, simd: 3 }), 1);
    const r = await python(
      driver,
      `
try:
    d.pack_input([128]); refused = False
except ValueError:
    refused = True
print(json.dumps([d.pack_input([-3, 5, -128, 127]), d.unpack_output([0xfd, 0x05, 0x80, 0x7f]), refused, d.FRAME_IN, d.FRAME_OUT, d.MODEL_ID]))`,
    );
    const model = convModel({ name: "d_mac8", kernel: "mac", pe: 1, simd: 3 });
    expect(r).toEqual([[0xfd, 0x05, 0x80, 0x7f], [-3, 5, -128, 127], true, 6 * 7 * 3, 6 * 7 * 5, Number.parseInt(model.hash.slice(0, 8), 16)]);
  }, 120_000);

  it("binary: -1/+1 pack to 0/1 bytes and unpack back; 16-bit output 0xfffd is -3", async () => {
    const bin = boardPackage(convModel({ name: "d_xnor", kernel: "xnor", pe: 5, simd: 9 }), 1);
    expect(await python(bin.driver, "print(json.dumps([d.pack_input([-1, 1, 1]), d.unpack_output([0, 1, 0])]))")).toEqual([
      [0, 1, 1],
      [-1, 1, -1],
    ]);
    const wide = boardPackage(convModel({ name: "d_mac16", kernel: "mac", bits: 16, pe: 1, simd: 3 }), 1);
    expect(await python(wide.driver, "print(json.dumps([d.OUT_TDATA_BITS, d.unpack_output([0xfffd, 0x0003, 0x8000])]))")).toEqual([16, [-3, 3, -32768]]);
  }, 120_000);

  for (const kernel of ["mac", "xnor"] as const) {
    it(`${kernel}: pack_input of the input tensors gives the words of vectors/input.hex; unpack_output of the last layer's golden words gives the golden values`, async () => {
      const model = convModel({ name: `g_${kernel}`, kernel, pe: 1, simd: 3 });
      const { dir, inputs, driver } = boardPackage(model, 2);
      const values = inputs.flatMap((x) => Array.from(x.data));
      const lastName = model.layers[model.layers.length - 1].name;
      const goldenWords = hexWords(join(dir, "vectors", `${lastName}.expected.hex`));
      const [packed, unpacked] = (await python(
        driver,
        `print(json.dumps([d.pack_input(${JSON.stringify(values)}), d.unpack_output(${JSON.stringify(goldenWords)})]))`,
      )) as [number[], number[]];
      expect(packed).toEqual(hexWords(join(dir, "vectors", "input.hex")));
      const golden = inputs.flatMap((x) => Array.from(runGolden(model, x).layers[model.layers.length - 1].data));
      expect(unpacked).toEqual(golden);
    }, 120_000);
  }
});
