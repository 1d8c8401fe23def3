#!/usr/bin/env node
/**
 * Runs @yowasp/yosys (Yosys compiled to WebAssembly) on a folder, in its own
 * process so the caller's event loop stays free during a long synthesis.
 * usage: node yowasp-cli.js <folder> <yosys args...>
 * Every file of the folder is visible to Yosys; files Yosys writes are copied back.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runYosys } from "@yowasp/yosys";

const [folder, ...args] = process.argv.slice(2);
const files: Record<string, string> = {};
for (const name of readdirSync(folder)) {
  const full = join(folder, name);
  if (statSync(full).isFile()) files[name] = readFileSync(full, "utf8");
}
try {
  const out = (await runYosys(args, files, {
    stdout: (b) => b && process.stdout.write(b),
    stderr: (b) => b && process.stderr.write(b),
  })) as Record<string, string | Uint8Array | object>;
  for (const [name, content] of Object.entries(out ?? {})) {
    if (typeof content === "string" && files[name] !== content) writeFileSync(join(folder, name), content);
    else if (content instanceof Uint8Array) writeFileSync(join(folder, name), content);
  }
} catch (err) {
  const code = (err as { code?: number }).code;
  process.stderr.write(`yowasp-yosys: ${(err as Error).message}\n`);
  process.exit(typeof code === "number" && code !== 0 ? code : 1);
}
