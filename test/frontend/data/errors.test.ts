/** Bad data files are refused with a QuantrtlError that names the file, the array and what would be valid. */
import { describe, expect, test } from "vitest";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dump } from "npyjs";
import { zipSync } from "fflate";
import { loadModel } from "../../../src/ir/load.js";
import { loadDataset, type DatasetSpec } from "../../../src/frontend/dataset.js";
import { QuantrtlError } from "../../../src/util/errors.js";
import { testDir } from "../../helpers/temp.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const model = loadModel("models/mnist-adder.json");
const npy = (a: Parameters<typeof dump>[0], shape: number[]) => new Uint8Array(dump(a, shape));

function refusal(spec: string | DatasetSpec): QuantrtlError {
  try {
    loadDataset(model, spec);
  } catch (err) {
    expect(err).toBeInstanceOf(QuantrtlError);
    return err as QuantrtlError;
  }
  throw new Error("not refused");
}

describe("bad data files", () => {
  test("shape mismatch: names the file, the array, the model's input and the shapes that fit", () => {
    const dir = testDir("quantrtl-bad-");
    const file = join(dir, "x.npy");
    writeFileSync(file, npy(new Float32Array(2 * 32 * 32 * 3), [2, 32, 32, 3]));
    const e = refusal(file);
    expect(e.file).toBe(file);
    expect(e.path).toBe("images");
    expect(e.message).toContain("3072 values per sample, the model takes 784");
    expect(e.hint).toContain("[N, 28, 28, 1] (NHWC), [N, 1, 28, 28] (NCHW) or [N, 28, 28]");
  });

  test("unsupported dtype, Fortran order and big-endian files (numpy-written) are refused with the fix", () => {
    const dir = testDir("quantrtl-bad-");
    const bools = npy(new Float32Array(784), [1, 784]);
    // the same file with its dtype rewritten to bool ('|b1'), a type quantrtl does not read as data
    const text = new TextDecoder("latin1").decode(bools).replace("'<f4'", "'|b1'");
    writeFileSync(
      join(dir, "b.npy"),
      Uint8Array.from(text, (c) => c.charCodeAt(0)),
    );
    expect(refusal(join(dir, "b.npy")).message).toMatch(/dtype \|b1/);
    const f = refusal(join(FIXTURES, "fortran.npy"));
    expect(f.message).toContain("Fortran order");
    expect(f.hint).toContain("ascontiguousarray");
    expect(refusal(join(FIXTURES, "big-endian.npy")).message).toContain("big-endian (>f4)");
  });

  test("labels: count different from the images, wrong shape, not class indices", () => {
    const dir = testDir("quantrtl-bad-");
    writeFileSync(join(dir, "x.npy"), npy(new Float32Array(3 * 784), [3, 28, 28]));
    writeFileSync(join(dir, "y2.npy"), npy(new Uint8Array(2), [2]));
    writeFileSync(join(dir, "yh.npy"), npy(new Float32Array(30), [3, 10]));
    writeFileSync(join(dir, "yf.npy"), npy(Float32Array.from([1, 2.5, 3]), [3]));
    const count = refusal({ source: join(dir, "x.npy"), labels: join(dir, "y2.npy") });
    expect(count.file).toBe(join(dir, "y2.npy"));
    expect(count.message).toContain("2 labels for 3 images");
    expect(refusal({ source: join(dir, "x.npy"), labels: join(dir, "yh.npy") }).hint).toContain("argmax");
    expect(refusal({ source: join(dir, "x.npy"), labels: join(dir, "yf.npy") }).message).toContain("label 2.5 is not a class index");
  });

  test("npz: a missing array lists the arrays there are; corrupt zip and truncated npy say what is wrong", () => {
    const dir = testDir("quantrtl-bad-");
    const x = npy(new Float32Array(2 * 784), [2, 28, 28]);
    writeFileSync(join(dir, "a.npz"), zipSync({ "images.npy": x }));
    const missing = refusal(join(dir, "a.npz"));
    expect(missing.path).toBe("--x");
    expect(missing.message).toContain('has no array "x"');
    expect(missing.hint).toContain("its arrays: images");
    expect(refusal({ source: join(dir, "a.npz"), x: "images", y: "labels" }).message).toContain('has no array "labels"');
    const zip = zipSync({ "x.npy": x });
    writeFileSync(join(dir, "cut.npz"), zip.subarray(0, zip.length - 30));
    expect(refusal(join(dir, "cut.npz")).message).toContain("is not a readable .npz");
    writeFileSync(join(dir, "short.npy"), x.subarray(0, x.length - 100));
    const short = refusal(join(dir, "short.npy"));
    expect(short.message).toMatch(/array "images" is not a readable \.npy \(shape \[2, 28, 28\] needs 1568 values, the file holds 1543 \(truncated\?\)\)/);
  });

  test("IDX: a truncated file and a wrong magic", () => {
    const dir = testDir("quantrtl-bad-");
    const header = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]);
    writeFileSync(join(dir, "cut-idx3-ubyte"), Uint8Array.from([...header, ...new Uint8Array(784)]));
    expect(refusal(join(dir, "cut-idx3-ubyte")).message).toContain("shape [2, 28, 28] needs 1568 values, the file holds 784 (truncated?)");
    writeFileSync(join(dir, "bad-idx"), Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 1, 5]));
    expect(refusal(join(dir, "bad-idx")).message).toContain("unknown type byte 0x42");
  });

  test("integer data out of the model's range is refused, with the way to have it quantized", () => {
    const dir = testDir("quantrtl-bad-");
    const pixels = new Uint8Array(784).fill(200);
    writeFileSync(join(dir, "u8.npy"), npy(pixels, [1, 28, 28]));
    const e = refusal(join(dir, "u8.npy"));
    expect(e.message).toContain("value 200 is outside the model's 8-bit input [-128, 127]");
    expect(e.hint).toContain("give float data");
  });

  test("not a dataset: a missing file, a text file, misplaced flags", () => {
    const dir = testDir("quantrtl-bad-");
    expect(refusal(join(dir, "nope.npz")).message).toContain("not found");
    writeFileSync(join(dir, "notes.txt"), "hello");
    expect(refusal(join(dir, "notes.txt")).message).toContain("neither .npz, .npy nor IDX");
    expect(refusal({ source: "mnist-test", labels: "y.npy" }).path).toBe("--labels");
    expect(refusal({ source: join(FIXTURES, "mnist5-x.npy"), x: "a" }).path).toBe("--x");
  });
});
