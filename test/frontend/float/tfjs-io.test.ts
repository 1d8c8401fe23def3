/**
 * tfjs model files without tfjs-node (src/frontend/float/tfjs-io.ts): a LeNet with
 * the custom adder / binary layers saved to model.json + weights.bin and
 * loaded back predicts the same logits.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import type * as tfType from "@tensorflow/tfjs";
import { buildLenet } from "../../../src/frontend/float/lenet.js";
import { fileLoadHandler, fileSaveHandler } from "../../../src/frontend/float/tfjs-io.js";
import { initTf } from "../../../src/frontend/float/tfjs.js";
import { rng } from "../../../src/ir/inputs.js";
import { QuantrtlError } from "../../../src/util/errors.js";
import { testDir } from "../../helpers/temp.js";

let tf: typeof tfType;
beforeAll(async () => {
  tf = await initTf();
});

describe("file IOHandlers", () => {
  for (const variant of ["adder", "xnor"] as const)
    test(`LeNet ${variant}: save then load gives the same logits`, async () => {
      const dir = join(testDir("quantrtl-tfjs-"), "model");
      const model = buildLenet(variant, 3);
      await model.save(fileSaveHandler(dir));
      expect(existsSync(join(dir, "weights.bin"))).toBe(true);
      const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
      expect(json.weightsManifest[0].paths).toEqual(["./weights.bin"]);
      const loaded = await tf.loadLayersModel(fileLoadHandler(dir));
      const next = rng(1);
      const x = tf.tensor4d(
        Float32Array.from({ length: 2 * 784 }, () => next()),
        [2, 28, 28, 1],
      );
      const a = (model.predict(x) as tfType.Tensor).dataSync();
      const b = (loaded.predict(x) as tfType.Tensor).dataSync();
      expect(Array.from(b)).toEqual(Array.from(a));
    });

  test("loading from a folder without model.json is a QuantrtlError", async () => {
    const dir = testDir("quantrtl-tfjs-");
    await expect(tf.loadLayersModel(fileLoadHandler(dir))).rejects.toThrow(QuantrtlError);
  });
});
