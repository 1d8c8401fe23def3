/**
 * The same MNIST images through every reader give the same integer inputs and
 * float images as the `mnist-test` path (the reference: the bundled IDX files,
 * p/255, the model's input quantizer): numpy-written fixtures (fixtures/
 * make-fixtures.py) and files written here (npyjs' writer, fflate's zip, IDX
 * bytes by hand, gzipped).
 */
import { describe, expect, test } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dump } from "npyjs";
import { gzipSync, zipSync } from "fflate";
import { loadModel } from "../../../src/ir/load.js";
import { loadDataset, type DatasetInputs } from "../../../src/frontend/dataset.js";
import { mnistFiles } from "../../../src/frontend/float/mnist.js";
import { testDir } from "../../helpers/temp.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const model = loadModel("models/mnist-adder.json");
const N = 40;
const reference = loadDataset(model, "mnist-test", N);

function expectSameAs(data: DatasetInputs, count: number): void {
  expect(data.count).toBe(count);
  for (let i = 0; i < count; i++) expect(Array.from(data.inputs[i].data), `image ${i}`).toEqual(Array.from(reference.inputs[i].data));
  expect(Array.from(data.floatImages!)).toEqual(Array.from(reference.floatImages!.subarray(0, count * 784)));
  expect(Array.from(data.labels!)).toEqual(Array.from(reference.labels!.subarray(0, count)));
}

/** The first n MNIST test images and labels as raw IDX bytes (header + data), cut from the bundled files. */
function idxBytes(n: number): { images: Uint8Array; labels: Uint8Array } {
  const files = mnistFiles("test");
  const images = new Uint8Array(readFileSync(files.images)).slice(0, 16 + n * 784);
  const labels = new Uint8Array(readFileSync(files.labels)).slice(0, 8 + n);
  // the count field (bytes 4..7, big-endian) says n
  new DataView(images.buffer).setUint32(4, n, false);
  new DataView(labels.buffer).setUint32(4, n, false);
  return { images, labels };
}

describe("dataset readers agree with mnist-test", () => {
  test("the reference itself: 40 images, integers in the int8 range, labels 0..9", () => {
    expect(reference.count).toBe(N);
    // first MNIST test labels, as published (7 2 1 0 4 1 4 9 5 9)
    expect(Array.from(reference.labels!.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(reference.inputs.every((t) => t.data.every((v) => v >= 0 && v <= 127))).toBe(true);
  });

  test("numpy savez_compressed, NCHW float32 with int64 labels", () => {
    const data = loadDataset(model, join(FIXTURES, "mnist5-nchw.npz"));
    expect(data.reading).toMatch(/^NCHW float32/);
    expectSameAs(data, 5);
  });

  test("numpy savez with named arrays (--x images --y classes), NHWC float64", () => {
    const data = loadDataset(model, { source: join(FIXTURES, "mnist5-named.npz"), x: "images", y: "classes" });
    expect(data.reading).toMatch(/^NHWC float64/);
    expectSameAs(data, 5);
  });

  test("numpy .npy pair ([N, 28, 28] float32, uint8 labels via --labels)", () => {
    expectSameAs(loadDataset(model, { source: join(FIXTURES, "mnist5-x.npy"), labels: join(FIXTURES, "mnist5-y.npy") }), 5);
  });

  test("an .npz written with npyjs + fflate (float32 NHWC, uint8 labels), and --limit", () => {
    const dir = testDir("quantrtl-npz-");
    const x = dump(reference.floatImages!, [N, 28, 28, 1]);
    const y = dump(Uint8Array.from(reference.labels!), [N]);
    writeFileSync(join(dir, "d.npz"), zipSync({ "x.npy": new Uint8Array(x), "y.npy": new Uint8Array(y) }, { level: 6 }));
    expectSameAs(loadDataset(model, join(dir, "d.npz")), N);
    expectSameAs(loadDataset(model, join(dir, "d.npz"), 7), 7);
  });

  test("IDX files, plain and gzipped; the labels file beside the images is found by name", () => {
    const dir = testDir("quantrtl-idx-");
    const { images, labels } = idxBytes(N);
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), images);
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), labels);
    expectSameAs(loadDataset(model, join(dir, "t10k-images-idx3-ubyte")), N);
    writeFileSync(join(dir, "a.gz"), gzipSync(images));
    writeFileSync(join(dir, "b.gz"), gzipSync(labels));
    expectSameAs(loadDataset(model, { source: join(dir, "a.gz"), labels: join(dir, "b.gz") }), N);
  });

  test("integer data is taken as is: int8 NCHW and int16 flat arrays of the reference's integers", () => {
    const dir = testDir("quantrtl-int-");
    const ints = new Int8Array(N * 784);
    reference.inputs.forEach((t, i) => ints.set(t.data, i * 784));
    writeFileSync(join(dir, "q.npy"), new Uint8Array(dump(ints, [N, 1, 28, 28])));
    const data = loadDataset(model, join(dir, "q.npy"));
    expect(data.labels).toBeUndefined();
    expect(data.reading).toMatch(/int8 as is/);
    for (let i = 0; i < N; i++) expect(Array.from(data.inputs[i].data)).toEqual(Array.from(reference.inputs[i].data));
    // its float reference: the integers times the input scale (1/127), the values the integers stand for
    expect(data.floatImages![300]).toBeCloseTo(reference.inputs[0].data[300] / 127, 6);
    writeFileSync(join(dir, "q16.npy"), new Uint8Array(dump(Int16Array.from(ints), [N, 784])));
    const flat = loadDataset(model, join(dir, "q16.npy"), 3);
    expect(flat.count).toBe(3);
    expect(Array.from(flat.inputs[2].data)).toEqual(Array.from(reference.inputs[2].data));
  });
});
