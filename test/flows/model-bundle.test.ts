import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleModel, materializeBundle } from "../../src/flows/model-bundle.js";
import { loadModel } from "../../src/ir/load.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { ROOT } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";

describe("model bundles", () => {
  it("a model with a JSON weight file travels as those two files and loads elsewhere with the same hash", () => {
    const file = join(ROOT, "models", "conv3x3-mac-int8.json");
    const bundle = bundleModel(file);
    expect(Object.keys(bundle.files).sort()).toEqual(["conv3x3-mac-int8.json", "conv3x3-mac-int8.weights.json"]);
    const dir = join(testDir("qrtl-bundle-"), "m");
    const entry = materializeBundle(bundle, dir);
    expect(entry).toBe(join(dir, "conv3x3-mac-int8.json"));
    expect(loadModel(entry).hash).toBe(loadModel(file).hash);
    // a second call finds the folder complete and writes nothing
    expect(materializeBundle({ entry: bundle.entry, files: {} }, dir)).toBe(entry);
  });

  it("the ResNet-20 model's weight files in its sub-folder are all sent, and nothing else", () => {
    const file = join(ROOT, "models", "resnet20-adder-cifar.json");
    const names = Object.keys(bundleModel(file).files);
    const binaries = readdirSync(join(ROOT, "models", "resnet20-adder-cifar"));
    expect(names).toContain("resnet20-adder-cifar.json");
    // every file the model names lives in its folder; the bundle holds those the model reads, none twice
    expect(new Set(names).size).toBe(names.length);
    for (const n of names.filter((x) => x !== "resnet20-adder-cifar.json")) expect(binaries).toContain(n.replace("resnet20-adder-cifar/", ""));
    expect(names.length).toBeGreaterThan(20);
  });

  it("a name leaving the folder is refused and nothing is written outside it", () => {
    const root = testDir("qrtl-bundle-");
    for (const bad of ["../evil.json", "/tmp/evil.json", "a/../../evil.json"]) {
      expect(() => materializeBundle({ entry: "m.json", files: { "m.json": "", [bad]: "eA==" } }, join(root, "m"))).toThrow(QuantrtlError);
      expect(existsSync(join(root, "evil.json"))).toBe(false);
    }
    expect(readdirSync(root)).toEqual([]);
  });
});
