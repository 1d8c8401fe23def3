/**
 * Malformed models through the real CLI (`node dist/src/cli/main.js gen ...` as a
 * child process): every bad input must exit 1 with one short message that
 * names the model file, the JSON path (or the flag) and carries a hint — no
 * stack trace, nothing on stdout, and nothing written: neither the --out
 * folder nor the hidden staging folder (".out.tmp-*") beside it.
 *
 * Each case starts from a valid control model (the controls are checked to
 * pass first) and breaks exactly one thing.
 */
import { describe, expect, test } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Run, runCli } from "../helpers/cli.js";
import { join } from "node:path";

// ---------------------------------------------------------------------------
// Valid starting points.

type Doc = Record<string, any>;

/** 4x4x2 int8 input, one 3x3 adder conv to 3 channels, padding 1: 3·3·3·2 = 54 weights. */
function adder8(): Doc {
  return {
    quantrtl: 1,
    name: "tiny_adder",
    input: { height: 4, width: 4, channels: 2, bits: 8 },
    layers: [
      {
        type: "conv2d",
        name: "conv0",
        datapath: "adder",
        outChannels: 3,
        kernelSize: 3,
        padding: 1,
        weightBits: 8,
        activationBits: 8,
        weights: Array.from({ length: 54 }, (_, i) => ((i * 37) % 255) - 127),
        requant: { multiplier: 20000, shift: 18, rounding: "half_even", outBits: 8 },
      },
    ],
  };
}

/** The same shape as a binary (xnor) layer: ±1 input, ±1 weights, one threshold per channel. */
function xnor(): Doc {
  const d = adder8();
  d.name = "tiny_xnor";
  d.input.bits = 1;
  const l = d.layers[0];
  l.datapath = "xnor";
  l.weightBits = 1;
  l.activationBits = 1;
  l.weights = l.weights.map((v: number) => (v < 0 ? -1 : 1));
  delete l.requant;
  l.thresholds = [0, 2, -2];
  return d;
}

/** int16 adder with its weights in a little-endian int16 .bin file beside the model. */
function adder16Bin(d: Doc, dir: string): void {
  d.input.bits = 16;
  const l = d.layers[0];
  l.weightBits = 16;
  l.activationBits = 16;
  const buf = Buffer.alloc(54 * 2);
  l.weights.forEach((v: number, i: number) => buf.writeInt16LE(v * 200, i * 2));
  writeFileSync(join(dir, "w16.bin"), buf);
  l.weights = { file: "w16.bin" };
}

/** A second layer (3 -> 3 channels, 3·3·3·3 = 81 weights) chained after the first. */
function addSecondLayer(d: Doc, name: string): void {
  d.layers.push({ ...d.layers[0], name, weights: Array.from({ length: 81 }, (_, i) => (i % 9) - 4) });
}

interface Setup {
  /** Valid control model. */
  base: () => Doc;
  /** Edits the document (and may write files into the model's folder). */
  edit?: (d: Doc, modelDir: string, root: string) => void;
  /** Raw model file text instead of a document. */
  text?: string;
  /** Do not write the model file at all. */
  noModel?: boolean;
  /** argv after the CLI; default ["gen", model, "--out", out]. */
  argv?: (model: string, out: string) => string[];
}

interface Prepared {
  root: string;
  modelDir: string;
  model: string;
  out: string;
  argv: string[];
  /** Entries of root and modelDir before the run (nothing may be added). */
  before: { root: string[]; modelDir: string[] };
}

function prepare(s: Setup): Prepared {
  const root = mkdtempSync(join(tmpdir(), "quantrtl-malformed-"));
  const modelDir = join(root, "model");
  mkdirSync(modelDir);
  const model = join(modelDir, "model.json");
  const out = join(root, "out");
  if (!s.noModel) {
    if (s.text !== undefined) writeFileSync(model, s.text);
    else {
      const d = s.base();
      s.edit?.(d, modelDir, root);
      writeFileSync(model, JSON.stringify(d, null, 1));
    }
  }
  const argv = s.argv ? s.argv(model, out) : ["gen", model, "--out", out];
  return { root, modelDir, model, out, argv, before: { root: readdirSync(root).sort(), modelDir: readdirSync(modelDir).sort() } };
}

function runPrepared(p: Prepared): Promise<Run> {
  return runCli(p.argv, { cwd: p.root, timeoutMs: 60_000 });
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The JSON path or flag as a whole token, e.g. "/layers/0/weights/17" (a deeper "/..." may follow). */
function namesToken(stderr: string, token: string): boolean {
  return new RegExp(`(^|\\s)${escapeRe(token)}(:|\\s|/)`, "m").test(stderr);
}

// ---------------------------------------------------------------------------

interface ControlCase extends Setup {
  name: string;
}

const CONTROLS: ControlCase[] = [
  { name: "int8 adder, weights inline", base: adder8 },
  {
    name: "int8 adder, weights in an int8 .bin file (54 bytes)",
    base: adder8,
    edit: (d, dir) => {
      writeFileSync(join(dir, "w.bin"), Buffer.from(Int8Array.from(d.layers[0].weights).buffer));
      d.layers[0].weights = { file: "w.bin" };
    },
  },
  { name: "int16 adder, weights in an int16 .bin file (108 bytes)", base: adder8, edit: adder16Bin },
  {
    name: "int8 adder, weights in a .json file",
    base: adder8,
    edit: (d, dir) => {
      writeFileSync(join(dir, "w.json"), JSON.stringify(d.layers[0].weights));
      d.layers[0].weights = { file: "w.json" };
    },
  },
  { name: "xnor layer with thresholds", base: xnor },
  { name: "two chained layers with distinct names", base: adder8, edit: (d) => addSecondLayer(d, "conv1") },
  {
    name: "requant with multiplierBits 8, multiplier 255 and zeroPoint 127",
    base: adder8,
    edit: (d) => Object.assign(d.layers[0].requant, { multiplier: 255, multiplierBits: 8, zeroPoint: 127 }),
  },
  { name: "--pe 3 --simd 18 (the largest folding)", base: adder8, argv: (m, o) => ["gen", m, "--out", o, "--pe", "3", "--simd", "18"] },
];

describe("valid controls: each malformed case below breaks one of these", () => {
  test.each(CONTROLS.map((c) => [c.name, c] as const))("%s generates a design", async (_name, c) => {
    const p = prepare(c);
    try {
      const r = await runPrepared(p);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^wrote \d+ Verilog files/);
      expect(existsSync(join(p.out, "rtl", "files.f"))).toBe(true);
      expect(readdirSync(p.root).filter((e) => e.startsWith(".out"))).toEqual([]);
    } finally {
      rmSync(p.root, { recursive: true, force: true });
    }
  });
});

interface BadCase extends Setup {
  name: string;
  /** JSON path or flag (or command) the message must name; null when there is none (file-level problems). */
  where: string | null;
  /** Whether the message must name the model file (false for pure command-line errors). */
  namesFile?: boolean;
  /** Substrings the message must contain (the problem itself). */
  mentions?: string[];
  /** Substrings the message must not contain. */
  notMentions?: string[];
}

const layer0 = (d: Doc): Doc => d.layers[0];

const CASES: BadCase[] = [
  // --- the file itself
  { name: "model file is not JSON at all", base: adder8, text: "quantrtl: 1\nlayers: [conv]\n", where: null, mentions: ["not valid JSON"] },
  { name: "model file is empty", base: adder8, text: "", where: null, mentions: ["not valid JSON"] },
  { name: "model path does not exist", base: adder8, noModel: true, where: null, mentions: ["not found"] },
  { name: "model document is a JSON array, not an object", base: adder8, text: "[]", where: "/", mentions: ["object"] },

  // --- structure (schema)
  { name: 'missing "layers"', base: adder8, edit: (d) => delete d.layers, where: "/", mentions: ['missing field "layers"'] },
  { name: "empty layers list", base: adder8, edit: (d) => (d.layers = []), where: "/layers" },
  { name: 'missing "input"', base: adder8, edit: (d) => delete d.input, where: "/", mentions: ['missing field "input"'] },
  { name: '"quantrtl": 2 (unknown format version)', base: adder8, edit: (d) => (d.quantrtl = 2), where: "/quantrtl", mentions: ["1"] },
  { name: 'outChannels is the string "16"', base: adder8, edit: (d) => (layer0(d).outChannels = "16"), where: "/layers/0/outChannels", mentions: ["integer"] },
  { name: "unknown top-level field", base: adder8, edit: (d) => (d.autor = "me"), where: "/autor", mentions: ['unknown field "autor"'] },
  {
    name: "unknown layer field (misspelt kernel)",
    base: adder8,
    edit: (d) => (layer0(d).kernal = "adder"),
    where: "/layers/0/kernal",
    mentions: ['unknown field "kernal"'],
  },
  {
    name: 'layer kernel "conv" (not in the enum)',
    base: adder8,
    edit: (d) => (layer0(d).kernel = "conv"),
    where: "/layers/0/kernel",
    mentions: ['"adder"', '"mac"', '"xnor"'],
  },
  { name: "relu is a string", base: adder8, edit: (d) => (layer0(d).relu = "yes"), where: "/layers/0/relu", mentions: ["boolean"] },
  // widths 1…16 are valid (narrow QONNX imports); beyond 16 is not
  { name: "input bits 17", base: adder8, edit: (d) => (d.input.bits = 17), where: "/input/bits", mentions: ["16"] },
  { name: "activationBits 17", base: adder8, edit: (d) => (layer0(d).activationBits = 17), where: "/layers/0/activationBits", mentions: ["16"] },
  { name: "stride 0", base: adder8, edit: (d) => (layer0(d).stride = 0), where: "/layers/0/stride" },
  { name: "stride [1, 0]", base: adder8, edit: (d) => (layer0(d).stride = [1, 0]), where: "/layers/0/stride/1", mentions: [">= 1"] },
  { name: "requant shift 63 (above 62)", base: adder8, edit: (d) => (layer0(d).requant.shift = 63), where: "/layers/0/requant/shift", mentions: ["62"] },
  { name: 'unsafe layer name "a; initial $finish"', base: adder8, edit: (d) => (layer0(d).name = "a; initial $finish"), where: "/layers/0/name" },
  {
    name: "weights is a bare string, not an array or {file}",
    base: adder8,
    edit: (d) => (layer0(d).weights = "w.bin"),
    where: "/layers/0/weights",
    mentions: ["file"],
  },
  { name: "a weight is 1.5 (not an integer)", base: adder8, edit: (d) => (layer0(d).weights[17] = 1.5), where: "/layers/0/weights/17", mentions: ["integer"] },

  // --- relations between fields
  { name: "weight count 53 instead of 54", base: adder8, edit: (d) => layer0(d).weights.pop(), where: "/layers/0/weights", mentions: ["53", "54"] },
  {
    name: "weight 200 in an 8-bit layer",
    base: adder8,
    edit: (d) => (layer0(d).weights[17] = 200),
    where: "/layers/0/weights/17",
    mentions: ["200", "[-128, 127]"],
  },
  {
    name: "weight 1e20 (beyond int32) is reported as written, not as a clamped 2147483647",
    base: adder8,
    edit: (d) => (layer0(d).weights[3] = 1e20),
    where: "/layers/0/weights/3",
    notMentions: ["2147483647"],
  },
  { name: "xnor weight 0 (not ±1)", base: xnor, edit: (d) => (layer0(d).weights[5] = 0), where: "/layers/0/weights/5", mentions: ["-1", "+1"] },
  { name: "bias with 2 values for 3 channels", base: adder8, edit: (d) => (layer0(d).bias = [1, 2]), where: "/layers/0/bias", mentions: ["3"] },
  { name: "bias value 3e10 (beyond int32)", base: adder8, edit: (d) => (layer0(d).bias = [1, 2, 3e10]), where: "/layers/0/bias/2" },
  { name: "padding 3 with kernel size 3", base: adder8, edit: (d) => (layer0(d).padding = 3), where: "/layers/0/padding", mentions: ["3"] },
  {
    name: "kernel 7 larger than the padded 6x6 input",
    base: adder8,
    edit: (d) => (layer0(d).kernelSize = 7),
    where: "/layers/0/kernelSize",
    mentions: ["7", "6"],
  },
  { name: "input bits 16 but activationBits 8", base: adder8, edit: (d) => (d.input.bits = 16), where: "/layers/0/activationBits", mentions: ["16"] },
  {
    name: "adder with weightBits 16 but activationBits 8",
    base: adder8,
    edit: (d) => (layer0(d).weightBits = 16),
    where: "/layers/0/weightBits",
    mentions: ["16", "8"],
  },
  { name: "adder layer without requant", base: adder8, edit: (d) => delete layer0(d).requant, where: "/layers/0", mentions: ['"requant"'] },
  {
    name: "xnor layer with both requant and thresholds",
    base: xnor,
    edit: (d) => {
      layer0(d).requant = { multiplier: 20000, shift: 18, rounding: "half_even", outBits: 8 };
    },
    where: "/layers/0/requant",
    mentions: ["thresholds"],
  },
  { name: "xnor with 2 thresholds for 3 channels", base: xnor, edit: (d) => (layer0(d).thresholds = [0, 1]), where: "/layers/0/thresholds", mentions: ["3"] },
  {
    name: "requant multiplier 65536 with the default 16 multiplier bits",
    base: adder8,
    edit: (d) => (layer0(d).requant.multiplier = 65536),
    where: "/layers/0/requant/multiplier",
    mentions: ["65536", "16"],
  },
  {
    name: "requant multiplier 256 with multiplierBits 8",
    base: adder8,
    edit: (d) => Object.assign(layer0(d).requant, { multiplier: 256, multiplierBits: 8 }),
    where: "/layers/0/requant/multiplier",
    mentions: ["256", "8"],
  },
  {
    name: "zeroPoint 128 for 8-bit output",
    base: adder8,
    edit: (d) => (layer0(d).requant.zeroPoint = 128),
    where: "/layers/0/requant/zeroPoint",
    mentions: ["128", "[-128, 127]"],
  },
  {
    name: "zeroPoint -129 for 8-bit output",
    base: adder8,
    edit: (d) => (layer0(d).requant.zeroPoint = -129),
    where: "/layers/0/requant/zeroPoint",
    mentions: ["-129"],
  },
  { name: "two layers named conv0", base: adder8, edit: (d) => addSecondLayer(d, "conv0"), where: "/layers/1/name", mentions: ["conv0"] },
  { name: "arch pe 4 > outChannels 3", base: adder8, edit: (d) => (layer0(d).arch = { pe: 4, simd: 1 }), where: "/layers/0/arch/pe", mentions: ["3"] },

  // --- weight files
  {
    name: 'missing weight file {"file": "missing.bin"}',
    base: adder8,
    edit: (d) => (layer0(d).weights = { file: "missing.bin" }),
    where: "/layers/0/weights/file",
    mentions: ["missing.bin"],
  },
  {
    name: 'weight file escaping the model folder ("../x.json", which exists)',
    base: adder8,
    edit: (d, _dir, root) => {
      writeFileSync(join(root, "x.json"), JSON.stringify(d.layers[0].weights)); // a valid file: only its place is wrong
      layer0(d).weights = { file: "../x.json" };
    },
    where: "/layers/0/weights/file",
    mentions: ["../x.json"],
  },
  {
    name: "absolute weight file path",
    base: adder8,
    edit: (d) => (layer0(d).weights = { file: "/etc/hostname" }),
    where: "/layers/0/weights/file",
    mentions: ["/etc/hostname"],
  },
  {
    name: "weight file with an unknown extension (.txt)",
    base: adder8,
    edit: (d, dir) => {
      writeFileSync(join(dir, "w.txt"), "1 2 3");
      layer0(d).weights = { file: "w.txt" };
    },
    where: "/layers/0/weights/file",
    mentions: ["w.txt"],
  },
  {
    name: "int8 .bin with 53 bytes (one weight short)",
    base: adder8,
    edit: (d, dir) => {
      writeFileSync(join(dir, "w.bin"), Buffer.alloc(53, 1));
      layer0(d).weights = { file: "w.bin" };
    },
    where: "/layers/0/weights",
    mentions: ["53", "54"],
  },
  {
    name: "int16 .bin of 107 bytes (not a whole number of int16)",
    base: adder8,
    edit: (d, dir) => {
      adder16Bin(d, dir);
      writeFileSync(join(dir, "w16.bin"), Buffer.alloc(107, 1));
    },
    where: "/layers/0/weights",
    mentions: ["107"],
  },
  {
    name: "weight .json file holding an object, not an array",
    base: adder8,
    edit: (d, dir) => {
      writeFileSync(join(dir, "w.json"), JSON.stringify({ weights: d.layers[0].weights }));
      layer0(d).weights = { file: "w.json" };
    },
    where: "/layers/0/weights",
    mentions: ["w.json"],
  },

  // --- command line
  { name: "--pe 0", base: adder8, argv: (m, o) => ["gen", m, "--out", o, "--pe", "0"], where: "--pe", namesFile: false, mentions: ['"0"'] },
  { name: "--pe 4 > outChannels 3", base: adder8, argv: (m, o) => ["gen", m, "--out", o, "--pe", "4"], where: "--pe", mentions: ["4", "3"] },
  { name: "--simd 0", base: adder8, argv: (m, o) => ["gen", m, "--out", o, "--simd", "0"], where: "--simd", namesFile: false },
  { name: "--simd 19 > reduction length 18", base: adder8, argv: (m, o) => ["gen", m, "--out", o, "--simd", "19"], where: "--simd", mentions: ["19", "18"] },
  {
    name: "unknown CLI flag --frobnicate",
    base: adder8,
    argv: (m, o) => ["gen", m, "--out", o, "--frobnicate", "1"],
    where: "--frobnicate",
    namesFile: false,
    mentions: ["--out"],
  },
  { name: "run-only flag --input given to gen", base: adder8, argv: (m, o) => ["gen", m, "--out", o, "--input", "x.json"], where: "--input", namesFile: false },
  { name: "unknown command generate", base: adder8, argv: (m, o) => ["generate", m, "--out", o], where: "generate", namesFile: false, mentions: ["gen"] },
  { name: "--out without a value (last argument)", base: adder8, argv: (m) => ["gen", m, "--out"], where: "--out", namesFile: false },
  {
    name: "--out followed by another flag (--out --vectors 2)",
    base: adder8,
    argv: (m) => ["gen", m, "--out", "--vectors", "2"],
    where: "--out",
    namesFile: false,
  },
  { name: "no model argument", base: adder8, argv: (_m, o) => ["gen", "--out", o], where: "<model>", namesFile: false },
];

describe("malformed models and arguments: gen exits 1 with one short, precise message and writes nothing", () => {
  test("there are at least 18 cases and their names are unique", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(18);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  test.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const p = prepare(c);
    try {
      const r = await runPrepared(p);
      const context = `argv: ${p.argv.join(" ")}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
      // the message without the temporary folder's random name, so that "3" or "8" cannot match inside a path
      const message = r.stderr.split(p.root).join("<tmp>");
      expect(r.status, context).toBe(1);
      expect(r.stdout, context).toBe("");

      const lines = r.stderr.trimEnd().split("\n");
      expect(r.stderr, "a message on stderr").not.toBe("");
      expect(lines.length, context).toBeLessThanOrEqual(3);
      expect(r.stderr, context).not.toContain("    at ");
      expect(lines[0], context).toMatch(/^error: \S/);
      expect(
        lines.some((l) => /^ {2}hint: \S/.test(l)),
        `hint line\n${context}`,
      ).toBe(true);

      if (c.namesFile !== false) expect(r.stderr, `names the model file\n${context}`).toContain(p.model);
      if (c.where !== null) expect(namesToken(message, c.where), `names ${c.where}\n${context}`).toBe(true);
      for (const m of c.mentions ?? []) expect(message, context).toContain(m);
      for (const m of c.notMentions ?? []) expect(message, context).not.toContain(m);

      // nothing written: no --out folder, no staging folder, no stray folder (e.g. one named after a flag)
      expect(existsSync(p.out), `${p.out} must not exist`).toBe(false);
      const rootAfter = readdirSync(p.root).sort();
      expect(
        rootAfter.filter((e) => e.startsWith(".out")),
        "staging leftovers",
      ).toEqual([]);
      expect(rootAfter, "new entries beside --out").toEqual(p.before.root);
      expect(readdirSync(p.modelDir).sort(), "new entries beside the model").toEqual(p.before.modelDir);
    } finally {
      rmSync(p.root, { recursive: true, force: true });
    }
  });
});
