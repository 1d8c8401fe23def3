import { expect, test } from "vitest";
import { parseModel } from "../../src/ir/load.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { convDoc } from "../helpers/models.js";

test("a shift layer rejects a weight that is not 0 or ±2^q (q ≤ bits − 2), naming its JSON path", () => {
  const doc = convDoc({ kernel: "shift", bits: 8, pe: 1, simd: 1 });
  const layer = (doc.layers as Record<string, unknown>[])[0];
  expect(() => parseModel(doc)).not.toThrow();
  for (const bad of [3, 80, -96]) {
    const weights = [...(layer.weights as number[])];
    weights[7] = bad;
    try {
      parseModel({ ...doc, layers: [{ ...layer, weights }] });
      expect.unreachable(`weight ${bad} was accepted`);
    } catch (err) {
      expect(err).toBeInstanceOf(QuantrtlError);
      expect((err as QuantrtlError).path).toBe("/layers/0/weights/7");
      expect((err as QuantrtlError).hint).toContain("2^q");
    }
  }
});
