/**
 * Speed of the ARRAY performance model (not a test: prints figures, asserts
 * nothing). Times simulateArray on AlexNet conv1, ResNet-20, DeiT-Tiny and a
 * token-pruned DeiT-Tiny on a 32×32 weight-stationary array with 64 KB
 * ifmap / weight / ofmap buffers and 16 B/cycle DRAM, and prints milliseconds
 * per model run, layers per second and the predicted cycles and utilisation.
 * The SCALE-Sim wall times are published figures (docs/figures.md and the
 * issue text), not measured here.
 * Run: node dist/bench/sim-speed.js  (after `npm run build`)
 */
import { alexnetConv1, deitTiny, resnet20Cifar, simulateArray, type ArrayArch, type Workload } from "../src/perf/array/index.js";

// 200 MHz is an assumed clock, used only to turn cycles into latency.
const arch: ArrayArch = {
  rows: 32,
  cols: 32,
  datapath: "mac",
  dataflow: "ws",
  ifmapBufferBytes: 64 * 1024,
  weightBufferBytes: 64 * 1024,
  ofmapBufferBytes: 64 * 1024,
  dramBytesPerCycle: 16,
  clockMHz: 200,
};

/** SCALE-Sim v2 wall time for AlexNet conv1 on this array (seconds): docs/figures.md, and the issue text. */
const SCALE_SIM_FIGURES_S = { "docs/figures.md": 19, "issue text": 97 } as const;

function timeIt(fn: () => void, minMs = 1000): { perRunMs: number; runs: number } {
  for (let i = 0; i < 5; i++) fn(); // warm-up (JIT)
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs || runs < 10) {
    fn();
    runs++;
    elapsed = performance.now() - start;
  }
  return { perRunMs: elapsed / runs, runs };
}

const keepFrom4 = Array.from({ length: 12 }, (_, b) => (b >= 3 ? 0.7 : 1)); // blocks 4..12 (1-based) keep 70 %
const workloads: { label: string; workload: Workload }[] = [
  { label: "AlexNet conv1", workload: alexnetConv1() },
  { label: "ResNet-20 (CIFAR)", workload: resnet20Cifar() },
  { label: "DeiT-Tiny", workload: deitTiny() },
  { label: "DeiT-Tiny, keep 0.7 from block 4", workload: deitTiny({ keepRatio: keepFrom4, name: "deit-tiny-keep0.7" }) },
];

console.log(
  `ARRAY model speed: ${arch.rows}x${arch.cols} ${arch.dataflow}, buffers ${arch.ifmapBufferBytes / 1024}/${arch.weightBufferBytes / 1024}/${arch.ofmapBufferBytes / 1024} KB, ` +
    `${arch.dramBytesPerCycle} B/cycle DRAM, ${arch.clockMHz} MHz (assumed)`,
);
let alexnetMs = NaN;
for (const { label, workload } of workloads) {
  const report = simulateArray(workload, arch);
  const { perRunMs, runs } = timeIt(() => simulateArray(workload, arch));
  if (workload.name === "alexnet-conv1") alexnetMs = perRunMs;
  const t = report.total;
  console.log(
    `${label}: ${t.layers} layers, ${(t.macs / 1e6).toFixed(1)} M MACs | model ${perRunMs.toFixed(3)} ms/run (${runs} runs), ` +
      `${Math.round(t.layers / (perRunMs / 1000)).toLocaleString("en-US")} layers/s | predicted ${t.totalCycles.toLocaleString("en-US")} cycles ` +
      `(compute ${t.computeCycles.toLocaleString("en-US")}, stall ${t.stallCycles.toLocaleString("en-US")}), utilisation ${(100 * t.utilization).toFixed(1)} %, ` +
      `${t.latencyMs.toFixed(3)} ms at ${arch.clockMHz} MHz, DRAM ${(t.dramReadBytes / 1e6).toFixed(2)} MB read / ${(t.dramWriteBytes / 1e6).toFixed(2)} MB written`,
  );
}
for (const [source, seconds] of Object.entries(SCALE_SIM_FIGURES_S)) {
  console.log(
    `SCALE-Sim v2 AlexNet conv1, ~${seconds} s (${source}; reference, not measured here): this model is ` +
      `${Math.round((seconds * 1000) / alexnetMs).toLocaleString("en-US")}x faster`,
  );
}
