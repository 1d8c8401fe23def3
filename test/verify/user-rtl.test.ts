/**
 * `verify --rtl DIR`: RTL quantrtl did not write this run is checked against the
 * golden words. The expected first difference of a patched weight ROM comes from
 * the golden model run with the same weight changed, not from the RTL.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseModel } from "../../src/ir/load.js";
import { runGolden } from "../../src/hw/golden/network.js";
import { randomTensor } from "../../src/ir/inputs.js";
import { writeDesignFiles } from "../../src/codegen/write.js";
import { verifyModel } from "../../src/verify/index.js";
import { convLayer, graphDoc } from "../helpers/graph-models.js";
import { runCli } from "../helpers/cli.js";
import { removeAfterTest, testDir } from "../helpers/temp.js";

const CENTER = 4; // weight (ky 1, kx 1, ic 0) of output channel 0: ROM word 4 at pe 1, simd 1
const doc = (centerFlip = false) => {
  const d = graphDoc("userrtl", { height: 3, width: 3, channels: 1 }, [
    convLayer({ name: "conv", kernel: "mac", inChannels: 1, outChannels: 2, kernelSize: 3, pe: 1, simd: 1, seed: 31 }),
    { type: "relu", name: "act" },
  ]);
  // the patched ROM word as the model would say it: the weight's top bit flipped (w xor 0x80, as 8 bits)
  const weights = (d.layers as { weights?: number[] }[])[0].weights!;
  if (centerFlip) weights[CENTER] = (((weights[CENTER] & 0xff) ^ 0x80) << 24) >> 24;
  return d;
};

/** Flips the top bit of ROM word `word` of a hex ROM file (comment lines skipped). */
function flipRomWord(file: string, word: number): void {
  const lines = readFileSync(file, "utf8").split("\n");
  const at = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim() !== "" && !l.startsWith("//"))[word][1];
  lines[at] = ((parseInt(lines[at], 16) ^ 0x80) & 0xff).toString(16).padStart(2, "0");
  writeFileSync(file, lines.join("\n"));
}

/** First element where the golden of the patched model differs, with both values (vector 0, seed 1 of the CLI). */
function firstGoldenDifference(layerIndex: number) {
  const input = randomTensor(parseModel(doc()).input, 1000);
  const a = runGolden(parseModel(doc()), input).layers[layerIndex].data;
  const b = runGolden(parseModel(doc(true)), input).layers[layerIndex].data;
  const index = a.findIndex((v, i) => v !== b[i]);
  expect(index, "the flipped weight must change this layer's output").toBeGreaterThanOrEqual(0);
  return { index, expected: a[index], actual: b[index] };
}

describe("verify --rtl DIR checks RTL it did not generate", () => {
  test("gen's output verifies unchanged (exit 0, output stream only); a flipped weight-ROM word exits 3 naming the first difference", async () => {
    const dir = testDir("quantrtl-userrtl-");
    const model = join(dir, "model.json");
    writeFileSync(model, JSON.stringify(doc()));
    const gen = await runCli(["gen", model, "--out", join(dir, "gen")]);
    expect(gen.status, gen.stderr).toBe(0);

    const ok = await runCli(["verify", model, "--rtl", join(dir, "gen"), "--out", join(dir, "proof-ok")]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain("bit-exact: 18/18 words");
    // gen writes no taps: the inner layer is not observed, and the report says which streams were
    expect(ok.stdout).toMatch(/layer conv .*not observed/);
    expect(ok.stdout).toContain("streams compared: act");

    cpSync(join(dir, "gen"), join(dir, "patched"), { recursive: true });
    flipRomWord(join(dir, "patched", "rtl", "userrtl_conv_weights.hex"), CENTER);
    const want = firstGoldenDifference(1);
    // the rtl folder itself is accepted too
    const bad = await runCli(["verify", model, "--rtl", join(dir, "patched", "rtl"), "--out", join(dir, "proof-bad")]);
    expect(bad.status, bad.stdout + bad.stderr).toBe(3);
    expect(bad.stdout).toContain(`first difference: MISMATCH layer act, vector 0, element ${want.index} `);
    expect(bad.stdout).toContain(`expected ${want.expected}, got ${want.actual}`);
    expect(bad.stdout).toMatch(/VCD: .*mismatch\.vcd/);
    // the user's folder was read, not written
    expect(readFileSync(join(dir, "patched", "rtl", "files.f"), "utf8")).toBe(readFileSync(join(dir, "gen", "rtl", "files.f"), "utf8"));
  });

  test("RTL written with taps has its inner layer checked too: the flipped word is named on layer conv", async () => {
    const model = parseModel(doc());
    const dir = testDir("quantrtl-userrtl-taps-");
    writeDesignFiles(dir, model, [randomTensor(model.input, 1000)], undefined, { taps: true });
    const clean = await verifyModel(model, { rtl: dir, seed: 1, backpressure: 0.2 });
    expect(clean.bitExact).toBe(true);
    expect(clean.layers.map((l) => [l.name, l.tapped, l.compared])).toEqual([
      ["conv", true, 18],
      ["act", true, 18],
    ]);

    flipRomWord(join(dir, "rtl", "userrtl_conv_weights.hex"), CENTER);
    const want = firstGoldenDifference(0);
    const r = await verifyModel(model, { rtl: dir, seed: 1, backpressure: 0.2 });
    removeAfterTest(r.outDir);
    expect(r.bitExact).toBe(false);
    expect(r.mismatches[0]).toMatchObject({ kind: "value", layer: "conv", vector: 0, index: want.index, expected: want.expected, actual: want.actual });
  });

  test("hand-patched RTL that drops the last output word exits 3 with MISSING WORDS on the output layer, 17 of 18", async () => {
    const dir = testDir("quantrtl-userrtl-drop-");
    const model = join(dir, "model.json");
    writeFileSync(model, JSON.stringify(doc()));
    expect((await runCli(["gen", model, "--out", join(dir, "gen")])).status).toBe(0);
    const top = join(dir, "gen", "rtl", "userrtl_top.v");
    const text = readFileSync(top, "utf8");
    const patched = text.replace(
      "    assign out_valid = s_act_valid;\n    assign s_act_ready = out_ready;\n",
      [
        "    // patched by hand: the 18th output word is consumed but never offered",
        "    reg [4:0] patch_count;",
        "    always @(posedge clk) begin",
        "        if (rst) patch_count <= 5'd0;",
        "        else if (s_act_valid && s_act_ready) patch_count <= patch_count + 5'd1;",
        "    end",
        "    assign out_valid = s_act_valid && patch_count != 5'd17;",
        "    assign s_act_ready = out_ready || patch_count == 5'd17;",
        "",
      ].join("\n"),
    );
    expect(patched).not.toBe(text);
    writeFileSync(top, patched);
    const r = await runCli(["verify", model, "--rtl", join(dir, "gen"), "--out", join(dir, "proof")]);
    expect(r.status, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain("first difference: MISSING WORDS layer act: 17 of 18 golden words arrived");
    expect(r.stdout).toMatch(/MISSING WORDS layer act: .*VCD: .*mismatch\.vcd/);
  });

  test("--rtl on a folder without files.f exits 1 naming --rtl, before any simulation", async () => {
    const dir = testDir("quantrtl-userrtl-empty-");
    const model = join(dir, "model.json");
    writeFileSync(model, JSON.stringify(doc()));
    const r = await runCli(["verify", model, "--rtl", dir]);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: --rtl: .*neither files\.f nor rtl\/files\.f/);
    expect(r.stderr).toContain("hint: ");
    expect(r.stderr).not.toContain("    at ");
  });
});
