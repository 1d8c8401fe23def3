#!/usr/bin/env node
/**
 * Runs a YoWASP tool (Yosys or nextpnr-ice40 compiled to WebAssembly, from npm)
 * on a folder, in its own process so the caller's event loop stays free.
 * usage: node yowasp-cli.js yosys|nextpnr-ice40|icepack <folder> <tool args...>
 * Every file of the folder is visible to the tool; files it writes are copied back.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Run = (args: string[], files: Record<string, string>, options: object) => Promise<unknown>;

const [tool, folder, ...args] = process.argv.slice(2);
const runTool: Run =
  tool === "yosys"
    ? ((await import("@yowasp/yosys")).runYosys as unknown as Run)
    : tool === "nextpnr-ice40"
      ? ((await import("@yowasp/nextpnr-ice40")).runNextpnrIce40 as unknown as Run)
      : tool === "icepack"
        ? ((await import("@yowasp/nextpnr-ice40")).runIcepack as unknown as Run)
        : (() => {
            process.stderr.write(`yowasp-cli: unknown tool "${tool}" (yosys, nextpnr-ice40 or icepack)\n`);
            process.exit(2);
          })();
const files: Record<string, string> = {};
for (const name of readdirSync(folder)) {
  const full = join(folder, name);
  if (statSync(full).isFile()) files[name] = readFileSync(full, "utf8");
}
try {
  const out = (await runTool(args, files, {
    stdout: (b: Uint8Array | null) => b && process.stdout.write(b),
    stderr: (b: Uint8Array | null) => b && process.stderr.write(b),
  })) as Record<string, string | Uint8Array | object>;
  for (const [name, content] of Object.entries(out ?? {})) {
    if (typeof content === "string" && files[name] !== content) writeFileSync(join(folder, name), content);
    else if (content instanceof Uint8Array) writeFileSync(join(folder, name), content);
  }
} catch (err) {
  const code = (err as { code?: number }).code;
  process.stderr.write(`yowasp ${tool}: ${(err as Error).message}\n`);
  process.exit(typeof code === "number" && code !== 0 ? code : 1);
}
