/**
 * The package's public entry: `import { ... } from "quantrtl"` through package.json's
 * "exports" map, as a user's project sees it (node_modules/quantrtl pointing at this
 * package), in JavaScript and in TypeScript (the "types" condition).
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ROOT, runCli } from "./helpers/cli.js";
import { testDir } from "./helpers/temp.js";
import { run } from "../src/util/process.js";

/** A user's project folder with quantrtl installed as a link to this package. */
function userProject(): string {
  const dir = testDir("qr-api-");
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "quantrtl"), "dir");
  return dir;
}

const MODEL = join(ROOT, "models/conv3x3-mac-int8.json");

describe('import from "quantrtl"', () => {
  test("loadModel, checkModel, runGolden and verifyModel come from the package name; the model's hash is the CLI's", async () => {
    const dir = userProject();
    const script = join(dir, "use.mjs");
    writeFileSync(
      script,
      [
        'import { loadModel, checkModel, runGolden, randomTensor, verifyModel } from "quantrtl";',
        `const model = loadModel(${JSON.stringify(MODEL)});`,
        "const trace = runGolden(model, randomTensor(model.input, 1));",
        "const check = checkModel(model);",
        "console.log(JSON.stringify({ hash: model.hash, k: check.layers[0].engine.reductionLength, out: trace.layers[0].shape, verify: typeof verifyModel }));",
      ].join("\n"),
    );
    const r = await run(process.execPath, [script], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { hash: string; k: number; out: number[]; verify: string };
    const cli = await runCli(["check", MODEL, "--json"]);
    expect(got.hash).toBe((JSON.parse(cli.stdout) as { hash: string }).hash);
    expect(got.k).toBe(72); // 3·3·8
    expect(got.out).toEqual([16, 16, 16]);
    expect(got.verify).toBe("function");
  });

  test("files outside the exports map are not importable by path", async () => {
    const dir = userProject();
    const script = join(dir, "deep.mjs");
    writeFileSync(script, 'import "quantrtl/dist/src/ir/load.js";\n');
    const r = await run(process.execPath, [script], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  test("TypeScript resolves the types: a wrong argument type is a compile error, the right one compiles", async () => {
    const dir = userProject();
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: [] },
        files: ["use.ts"],
      }),
    );
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const tsc = join(ROOT, "node_modules/.bin/tsc");
    writeFileSync(
      join(dir, "use.ts"),
      'import { loadModel, type Model } from "quantrtl";\nconst m: Model = loadModel("m.json");\nexport const n: string = m.name;\n',
    );
    const ok = await run(tsc, ["-p", dir], { cwd: dir, timeoutMs: 120_000 });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    writeFileSync(join(dir, "use.ts"), 'import { loadModel } from "quantrtl";\nexport const m = loadModel(42);\n');
    const bad = await run(tsc, ["-p", dir], { cwd: dir, timeoutMs: 120_000 });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain("TS2345"); // argument of type 'number' is not assignable to 'string'
  });
});
