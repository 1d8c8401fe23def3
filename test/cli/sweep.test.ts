/**
 * `quantrtl sweep` as users run it: the pool with one thread and with two gives the same
 * JSON (the first as the second's independent run), it validates against its schema, the
 * files carry the same points, and bad input exits 1 with one line naming the flag or file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, test } from "vitest";
import { ROOT, runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { loadModel } from "../../src/ir/load.js";

const MODEL = "models/conv3x3-mac-int8.json";
const SPACE = ["--pe", "1,4", "--simd", "8,72", "--datapaths", "mac,adder,xnor", "--boards", "pynq-z2,icebreaker"];
const schema = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true }).compile(
  JSON.parse(readFileSync(join(ROOT, "schemas", "cli-sweep.schema.json"), "utf8")) as object,
);

interface Doc {
  points: { board: string; datapath: string; pe: number; simd: number; fits: boolean; pareto: boolean; lut: number }[];
}

describe("quantrtl sweep (local pool)", () => {
  test("one thread and two give the same JSON; it validates; the files hold the same points", async () => {
    const dir = testDir("quantrtl-sweep-");
    const one = await runCli(["sweep", MODEL, ...SPACE, "--jobs", "1", "--out", join(dir, "one"), "--json"]);
    expect(one.status, one.stderr.slice(-2000)).toBe(0);
    const two = await runCli(["sweep", MODEL, ...SPACE, "--jobs", "2", "--out", join(dir, "two"), "--json"]);
    expect(two.status, two.stderr.slice(-2000)).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const doc = JSON.parse(one.stdout) as Doc;
    expect(schema(doc), JSON.stringify(schema.errors)).toBe(true);
    // 2 boards × (mac 4 + adder 4 + xnor 4) foldings
    expect(doc.points).toHaveLength(24);
    expect(doc.points.map((p) => `${p.board} ${p.datapath} ${p.pe} ${p.simd}`).slice(0, 4)).toEqual([
      "pynq-z2 mac 1 8",
      "pynq-z2 mac 1 72",
      "pynq-z2 mac 4 8",
      "pynq-z2 mac 4 72",
    ]);
    // the schema can fail: a point without its figures is refused
    expect(schema({ ...doc, points: [{ board: "pynq-z2" }] })).toBe(false);
    expect(doc.points.some((p) => p.pareto)).toBe(true);
    expect(doc.points.filter((p) => p.pareto).every((p) => p.fits)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "one", "sweep.json"), "utf8"))).toEqual(doc);
    const csv = readFileSync(join(dir, "one", "sweep.csv"), "utf8")
      .trim()
      .split("\n");
    expect(csv).toHaveLength(25);
    expect(csv[1].split(",").slice(1, 6)).toEqual(["pynq-z2", "mac", "8", "1", "8"]);
    const html = readFileSync(join(dir, "one", "sweep.html"), "utf8");
    expect(html).toContain('data-chart="fps-lut"');
    expect(html).toContain('data-chart="fps-power"');
    const front = doc.points.filter((p) => p.pareto).length;
    expect((html.match(/class="front"/g) ?? []).length).toBeGreaterThanOrEqual(1);
    expect((html.match(/class="dominated"/g) ?? []).length).toBeGreaterThanOrEqual(doc.points.length - front - 1);
    expect(existsSync(join(dir, "one", ".quantrtl-out.json"))).toBe(true);
  });

  test("--verify: each point proved bit-exact in Verilator, its design (with its own PE) kept and linked", async () => {
    const dir = testDir("quantrtl-sweep-verify-");
    const r = await runCli(["sweep", MODEL, "--pe", "4,16", "--verify", "--vectors", "2", "--jobs", "2", "--out", join(dir, "v"), "--json"]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      points: { pe: number; id: string; proof: { bitExact: boolean; compared: number; matched: number; designDir: string } }[];
    };
    expect(schema(doc), JSON.stringify(schema.errors)).toBe(true);
    // every output word of both vectors compared: the last layer's H × W × C from the model file
    const last = loadModel(MODEL).layers.at(-1)!.output;
    const words = 2 * last.height * last.width * last.channels;
    const html = readFileSync(join(dir, "v", "sweep.html"), "utf8");
    for (const p of doc.points) {
      expect(p.proof).toMatchObject({ bitExact: true, compared: words, matched: words, designDir: `points/${p.id}` });
      const rtl = join(dir, "v", p.proof.designDir, "rtl");
      const top = readdirSync(rtl).filter((f) => f.endsWith("_mvu.v"));
      expect(top).toHaveLength(1);
      // the design is the point's: its MVU has the point's PE (the conv has 16 output channels, so the caps 4 and 16 are exact)
      expect(readFileSync(join(rtl, top[0]), "utf8")).toMatch(new RegExp(`PE\\s*=\\s*${p.pe}\\b`));
      expect(existsSync(join(dir, "v", p.proof.designDir, "sim", "report.json"))).toBe(true);
      expect(html).toContain(`href="points/${p.id}/"`);
    }
  });

  test("--dataset: the points that keep the model's datapath have its recorded top-1, the rebuilds n/a", async () => {
    const dir = testDir("quantrtl-sweep-acc-");
    const file = "models/mnist-adder.json";
    // the independent figure: the quantizer's own measurement on all 10 000 test images, recorded in the model
    const recorded = (JSON.parse(readFileSync(join(ROOT, file), "utf8")) as { metadata: { accuracy: { integerTop1: number; images: number } } }).metadata
      .accuracy;
    expect(recorded.images).toBe(10000);
    const r = await runCli([
      "sweep",
      file,
      "--datapaths",
      "adder,mac",
      "--pe",
      "2,4",
      "--dataset",
      "mnist-test",
      "--jobs",
      "2",
      "--out",
      join(dir, "a"),
      "--json",
    ]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const doc = JSON.parse(r.stdout) as { points: { datapath: string; accuracy: unknown }[] };
    expect(schema(doc), JSON.stringify(schema.errors)).toBe(true);
    expect(doc.points.map((p) => [p.datapath, p.accuracy])).toEqual([
      ["adder", { dataset: "mnist-test", images: 10000, integerTop1: recorded.integerTop1 }],
      ["adder", { dataset: "mnist-test", images: 10000, integerTop1: recorded.integerTop1 }],
      ["mac", { notMeasured: "rebuild: weights not converted" }],
      ["mac", { notMeasured: "rebuild: weights not converted" }],
    ]);
    expect(readFileSync(join(dir, "a", "sweep.html"), "utf8")).toContain("n/a (rebuild: weights not converted)");
  });

  test("bad input: one line naming the flag or file, exit 1", async () => {
    const dir = testDir("quantrtl-sweep-bad-");
    const space = join(dir, "space.json");
    writeFileSync(space, '{"pe": [1, 2], "simd": "eight"}');
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{"pe": [1, 2');
    const user = join(dir, "mine");
    mkdirSync(user);
    writeFileSync(join(user, "notes.txt"), "mine");
    const cases: [string[], RegExp][] = [
      [["--pe", "1,zero"], /--pe: "zero" is not an integer/],
      [["--datapaths", "mac,fpu"], /--datapaths: "fpu" is not a datapath/],
      [["--boards", "pynq-z3"], /--boards: "pynq-z3" is not a board/],
      [["--space", space], /space\.json \/simd: is not a non-empty list/],
      [["--space", broken], /broken\.json --space: cannot be read as JSON/],
      [["--jobs", "0"], /--jobs: "0" is not a valid value/],
      [["--out", user], /--out/],
      [["--vectors", "2"], /--vectors: only applies with --verify/],
      [["--limit", "5"], /--limit: only applies with --dataset/],
      [["--cache-dir", dir], /--cache-dir: only applies with --synth/],
      [["--synth", "--cache-dir", space], /--cache-dir: .*space\.json is not a folder/],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(["sweep", MODEL, ...flags]);
      expect(r.status, `${flags.join(" ")}: ${r.stderr}`).toBe(1);
      expect(r.stderr.trim().split("\n")[0]).toMatch(message);
    }
    expect(readFileSync(join(user, "notes.txt"), "utf8")).toBe("mine");
  });
});
