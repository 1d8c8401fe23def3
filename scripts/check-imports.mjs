#!/usr/bin/env node
// Imports run one way: cli → flows → {frontend, codegen, perf, estimate, synth, verify, report}
// → hw → ir → arith → util. Lists every import that goes up (or sideways into a room
// of the same rank where that rank's rooms must not see each other) and every cycle
// between files; exits 1 if there is one.   usage: node scripts/check-imports.mjs
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");
const RANK = {
  util: 0,
  arith: 1,
  ir: 2,
  hw: 3,
  frontend: 4,
  codegen: 4,
  perf: 4,
  estimate: 4,
  synth: 4,
  verify: 4,
  report: 4,
  flows: 5,
  cli: 6,
  "index.ts": 7,
};
/** Rooms of one rank that may import each other, and in which direction (a → b). */
// verify generates the design it proves and bounds its run by the cycle model; synth synthesizes a
// generated design; report renders the comparison figures estimate defines
const SIDEWAYS = new Set(["verify→codegen", "verify→perf", "synth→codegen", "report→estimate"]);

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}
const room = (file) => relative(src, file).split("/")[0];
const edges = new Map();
const problems = [];
for (const file of files(src)) {
  const text = readFileSync(file, "utf8");
  const deps = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^"'`;]*?from\s+["'](\.{1,2}\/[^"']+)["']/g)) {
    if (/^\s*(import|export)\s+type\b/.test(m[0].trim())) continue; // type-only: no runtime edge, but still checked for rank below
    deps.push(resolve(dirname(file), m[1].replace(/\.js$/, ".ts")));
  }
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s+type\b[^;]*?from\s+["'](\.{1,2}\/[^"']+)["']/g)) {
    const dep = resolve(dirname(file), m[1].replace(/\.js$/, ".ts"));
    check(file, dep);
  }
  edges.set(file, deps);
  for (const dep of deps) check(file, dep);
}
function check(file, dep) {
  const a = room(file);
  const b = room(dep);
  if (a === b) return;
  const ra = RANK[a];
  const rb = RANK[b];
  if (ra === undefined || rb === undefined) return problems.push(`${relative(root, file)}: unknown room ${ra === undefined ? a : b}`);
  if (rb > ra || (rb === ra && !SIDEWAYS.has(`${a}→${b}`))) problems.push(`${relative(root, file)} imports ${relative(root, dep)} (${a} → ${b})`);
}
// cycles (runtime imports only), by depth-first search
const state = new Map();
const stack = [];
function visit(file) {
  state.set(file, 1);
  stack.push(file);
  for (const dep of edges.get(file) ?? []) {
    if (!edges.has(dep)) continue;
    if (state.get(dep) === 1) problems.push(`import cycle: ${[...stack.slice(stack.indexOf(dep)), dep].map((f) => relative(src, f)).join(" → ")}`);
    else if (!state.has(dep)) visit(dep);
  }
  stack.pop();
  state.set(file, 2);
}
for (const file of edges.keys()) if (!state.has(file)) visit(file);
for (const p of problems) console.log(p);
console.log(problems.length ? `${problems.length} import problem(s)` : `imports run one way: ${edges.size} files, no cycle`);
process.exit(problems.length ? 1 : 0);
