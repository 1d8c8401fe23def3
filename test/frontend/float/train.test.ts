/**
 * The training loop (src/frontend/float/train.ts) on a few hundred images: it runs
 * for every variant, reports finite figures, and keeps binary latent weights
 * inside [−1, 1]. (No accuracy is asserted: that needs a full training run.)
 */
import { describe, expect, test } from "vitest";
import { BinaryConv2D, BinaryDense } from "../../../src/frontend/float/binary-layers.js";
import { LENET_VARIANTS } from "../../../src/frontend/float/lenet.js";
import { trainLenet } from "../../../src/frontend/float/train.js";

describe("trainLenet", () => {
  for (const variant of LENET_VARIANTS)
    test(`${variant}: two steps on 128 images`, async () => {
      const lines: string[] = [];
      const result = await trainLenet({
        variant,
        epochs: 1,
        batchSize: 64,
        seed: 1,
        lr: 0.05,
        adderEta: 0.1,
        adderLr: 0.5,
        limit: 128,
        log: (l) => lines.push(l),
      });
      expect(result.trainImages).toBe(128);
      expect(result.epochs).toHaveLength(1);
      expect(Number.isFinite(result.epochs[0].loss)).toBe(true);
      expect(result.finalTrainAcc).toBeGreaterThanOrEqual(0);
      expect(lines[0]).toMatch(/^epoch 1\/1: loss /);
      for (const layer of result.model.layers)
        if (layer instanceof BinaryConv2D || layer instanceof BinaryDense) {
          const w = layer.getWeights()[0].dataSync();
          for (const v of w) expect(Math.abs(v)).toBeLessThanOrEqual(1);
        }
    });
});
