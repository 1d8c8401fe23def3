/**
 * The verdict of one simulation: every difference between what the streams
 * carried and the golden words, in graph order (first divergent layer first).
 * A stream differs by a word's value, by missing words (fewer than its golden
 * count when the harness stopped) or by extra words (more than its golden count).
 */
import { Layer, Model, tensorSize } from "../ir/model.js";
import { wordValue } from "../codegen/vectors.js";
import { HarnessMismatch, HarnessResult, HarnessTap } from "./harness.js";

export interface MismatchReport {
  /** value: a word differs; missing / extra: the stream carried fewer / more words than the golden (expected / actual are then word counts). */
  readonly kind: "value" | "missing" | "extra";
  readonly layer: string;
  /** Where the word is (for missing: the first missing word; for extra: the first extra word, one past the last vector's last). */
  readonly vector: number;
  readonly index: number;
  readonly position: { readonly y: number; readonly x: number; readonly c: number };
  /** value / extra: the cycle the word arrived; missing: the cycle the harness stopped waiting. */
  readonly cycle: number;
  readonly expected: number;
  readonly actual: number;
  readonly vcd?: string;
}

/** What one stream (a tap or the output) carried. */
interface StreamSeen {
  readonly compared: number;
  readonly expectedWords: number;
  readonly extraCycle: number;
  readonly mismatches: readonly HarnessMismatch[];
}

/** A word index of a layer's stream (over all vectors) as vector and (y, x, c). */
function place(layer: Layer, streamIndex: number) {
  const frame = tensorSize(layer.output);
  const e = streamIndex % frame;
  const pix = Math.floor(e / layer.output.channels);
  return {
    vector: Math.floor(streamIndex / frame),
    index: e,
    position: { y: Math.floor(pix / layer.output.width), x: pix % layer.output.width, c: e % layer.output.channels },
  };
}

/** The differences of one stream: its value mismatches, then a missing- or extra-word count. */
export function streamDifferences(layer: Layer, seen: StreamSeen, stopCycle: number): MismatchReport[] {
  const values: MismatchReport[] = seen.mismatches
    .filter((m) => m.index < seen.expectedWords)
    .map((m) => ({
      kind: "value",
      layer: layer.name,
      ...place(layer, m.index),
      cycle: m.cycle,
      expected: wordValue(m.expected, layer.output.bits),
      actual: wordValue(m.actual, layer.output.bits),
    }));
  if (seen.compared === seen.expectedWords) return values;
  const missing = seen.compared < seen.expectedWords;
  const count: MismatchReport = {
    kind: missing ? "missing" : "extra",
    layer: layer.name,
    ...place(layer, missing ? seen.compared : seen.expectedWords),
    cycle: missing || seen.extraCycle < 0 ? stopCycle : seen.extraCycle,
    expected: seen.expectedWords,
    actual: seen.compared,
  };
  return [...values, count];
}

/**
 * Every difference of a run, taps in graph order then the output. `taps` are the
 * taps the harness observed (HarnessRun.taps); a tap the harness did not report
 * counts as having carried nothing.
 */
export function runDifferences(model: Model, taps: readonly HarnessTap[], result: HarnessResult): MismatchReport[] {
  const tapResults = result.taps ?? [];
  const lastLayer = model.layers[model.layers.length - 1];
  return [
    ...taps.flatMap((t, n) =>
      streamDifferences(model.layers[t.layer], tapResults[n] ?? { compared: 0, expectedWords: t.count, extraCycle: -1, mismatches: [] }, result.simCycles),
    ),
    ...streamDifferences(lastLayer, result, result.simCycles),
  ];
}

/** One line naming a difference, for the CLI and logs. */
export function describeMismatch(m: MismatchReport): string {
  const where = `vector ${m.vector}, element ${m.index} (y ${m.position.y}, x ${m.position.x}, c ${m.position.c})`;
  const vcd = m.vcd ? ` — VCD: ${m.vcd}` : "";
  switch (m.kind) {
    case "value":
      return `MISMATCH layer ${m.layer}, ${where}, cycle ${m.cycle}: expected ${m.expected}, got ${m.actual}${vcd}`;
    case "missing":
      return `MISSING WORDS layer ${m.layer}: ${m.actual} of ${m.expected} golden words arrived by cycle ${m.cycle} (first missing: ${where})${vcd}`;
    case "extra":
      return `EXTRA WORDS layer ${m.layer}: ${m.actual} words, the golden has ${m.expected} (first extra at cycle ${m.cycle})${vcd}`;
  }
}
