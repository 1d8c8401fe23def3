/**
 * The iCE40 targets of the board flow, measured (not a test: place and route of the
 * whole network takes minutes under WebAssembly): mnist-xnor folded for the iCEBreaker
 * to a .bin that meets the 12 MHz clock, then 100 real test images through the
 * virtual board (the Verilator model of the whole UART harness).
 * usage: node dist/scripts/board-demo.js [out-dir]   (default out/board-demo)
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const out = process.argv[2] ?? "out/board-demo";
const cli = join("dist", "src", "cli", "main.js");
const steps = [
  ["bitstream", "models/mnist-xnor.json", "--board", "icebreaker", "--fold", "auto", "--out", out],
  ["board", "run", "models/mnist-xnor.json", "--board", "icebreaker", "--fold", "auto", "--virtual", "--dataset", "mnist-test", "--limit", "100"],
];
for (const args of steps) {
  console.log(`$ quantrtl ${args.join(" ")}`);
  const start = Date.now();
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: "inherit" });
  console.log(`(${((Date.now() - start) / 1000).toFixed(0)} s, exit ${r.status})`);
  if (r.status !== 0) process.exit(r.status ?? 1);
}
