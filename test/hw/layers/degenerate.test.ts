/**
 * Degenerate shapes that change the generated RTL (no accumulators, a window
 * that is the whole image, one-element frames): each still lints clean, is
 * bit-exact with back-pressure and exactly predicted at backpressure 0.
 * (The one-pixel and one-channel global_avgpool cases are in global-avgpool.test.ts.)
 */
import { test } from "vitest";
import { expectVerifiedEdges, networkModel } from "../../helpers/network-models.js";

test("a 1×1 maxpool: one window position, so no accumulators", async () => {
  await expectVerifiedEdges(networkModel("mp_1x1", { height: 3, width: 3, channels: 4, bits: 8 }, [{ type: "maxpool", name: "pool", kernelSize: 1 }]));
});

test("a binary maxpool whose window is the whole image", async () => {
  await expectVerifiedEdges(networkModel("mp_whole", { height: 3, width: 4, channels: 5, bits: 1 }, [{ type: "maxpool", name: "pool", kernelSize: [3, 4] }]));
});

test("an argmax over a single value (always index 0)", async () => {
  await expectVerifiedEdges(networkModel("argmax_1", { height: 1, width: 1, channels: 1, bits: 8 }, [{ type: "argmax", name: "argmax" }]));
});
