/**
 * A short command loads only what it needs: `--version` and `check` must not pull in the Redis
 * client, Handlebars or the data readers (each costs tens of ms of every CLI start).
 * Which packages load is observed with a real module-resolution hook in a child process.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";

const run = promisify(execFile);

async function packagesLoaded(args: string[]): Promise<Set<string>> {
  const dir = testDir("qrtl-startup-");
  const log = join(dir, "packages.log");
  const hook = join(dir, "hook.mjs");
  // the hook runs on the loader thread: it appends to a file (its stderr may be lost at an early exit)
  writeFileSync(
    hook,
    `import { appendFileSync } from "node:fs";
export async function resolve(spec, ctx, next) {
  if (!/^(\\.|\\/|node:|file:)/.test(spec)) appendFileSync(${JSON.stringify(log)}, spec + "\\n");
  return next(spec, ctx);
}\n`,
  );
  const register = join(dir, "register.mjs");
  // ES imports are seen by the hook; require()d packages (lazyPackage) through the CommonJS cache at exit
  writeFileSync(
    register,
    `import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
register(${JSON.stringify(pathToFileURL(hook).href)});
const cache = createRequire(import.meta.url).cache;
process.on("exit", () => {
  for (const f of Object.keys(cache)) {
    const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f);
    if (m) appendFileSync(${JSON.stringify(log)}, m[1] + "\\n");
  }
});\n`,
  );
  writeFileSync(log, "");
  await run(process.execPath, ["--import", register, join(ROOT, "dist/src/cli/main.js"), ...args], { cwd: ROOT });
  return new Set(readFileSync(log, "utf8").split("\n").filter(Boolean));
}

describe("CLI start-up", () => {
  it("--version loads commander but not bullmq, ioredis, handlebars, ajv, fflate or npyjs", async () => {
    const loaded = await packagesLoaded(["--version"]);
    expect(loaded.has("commander")).toBe(true); // the hook sees packages: the check can fail
    for (const p of ["bullmq", "ioredis", "handlebars", "ajv", "fflate", "npyjs", "@tensorflow/tfjs"]) expect(loaded.has(p), p).toBe(false);
  });

  it("check on a JSON model validates with ajv but loads no Redis client, template engine or tfjs", async () => {
    const loaded = await packagesLoaded(["check", "models/conv3x3-mac-int8.json"]);
    expect(loaded.has("ajv")).toBe(true);
    for (const p of ["bullmq", "ioredis", "handlebars", "@tensorflow/tfjs"]) expect(loaded.has(p), p).toBe(false);
  });
});
