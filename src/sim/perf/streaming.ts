/**
 * Cycle-approximate model of the streaming dataflow codegen emits: every unit's
 * timing registers stepped cycle by cycle (units/*.ts), fed by a source that
 * offers a word every cycle and drained by a sink that is always ready — the
 * conditions of `quantrtl verify --backpressure 0`, whose measured cycle count
 * this predicts exactly (test/sim/perf/streaming.test.ts and the RTL tests).
 */
import { Conv2dLayer, Model, outputPixels } from "../../ir/model.js";
import { idealCycles } from "../../codegen/units/folding.js";
import { RegisteredStage, TimedUnit } from "./units/stream.js";
import { SwuTiming } from "./units/swu.js";
import { MvuTiming } from "./units/mvu.js";
import { SerializerTiming } from "./units/serializer.js";

export interface StreamRun {
  /** First input handshake to last output handshake, inclusive (as the harnesses count). */
  readonly cycles: number;
  /** Per frame: its first input to its last output, inclusive. */
  readonly frameCycles: readonly number[];
  /** Cycle (from the first input) at which each frame's last output leaves. */
  readonly frameEnds: readonly number[];
  /** Fill latency: first input to first output, inclusive (line-buffer warm-up + pipeline depth). */
  readonly fillCycles: number;
}

export function layerUnits(layer: Conv2dLayer): TimedUnit[] {
  return [new SwuTiming(layer), new MvuTiming(layer), new RegisteredStage(), new SerializerTiming(layer)];
}

/** Steps the whole chain for `frames` back-to-back frames with no stalls at either end. */
export function simulateStream(model: Model, frames = 1): StreamRun {
  const units = model.layers.flatMap(layerUnits);
  const n = units.length;
  const frameIn = model.input.height * model.input.width * model.input.channels;
  const last = model.layers[model.layers.length - 1].output;
  const frameOut = last.height * last.width * last.channels;
  const totalIn = frameIn * frames;
  const totalOut = frameOut * frames;
  const work = model.layers.reduce((s, l) => s + idealCycles(l) + outputPixels(l) * l.output.channels, 0);
  const limit = (work + frameIn) * frames * 4 + 10_000;

  const ready = new Array<boolean>(n + 1).fill(true); // ready[i] = in_ready of unit i; ready[n] = sink
  const valid = new Array<boolean>(n).fill(false);
  let inCount = 0;
  let outCount = 0;
  let cycle = 0;
  const frameStarts: number[] = [];
  const frameEnds: number[] = [];
  let firstOut = -1;
  while (outCount < totalOut) {
    if (cycle > limit) throw new Error(`streaming model: no progress after ${cycle} cycles (deadlock in the model)`);
    for (let i = n - 1; i >= 0; i--) ready[i] = units[i].inReady(ready[i + 1]);
    for (let i = 0; i < n; i++) valid[i] = units[i].outValid();
    const srcValid = inCount < totalIn;
    const inFire0 = srcValid && ready[0];
    const outFireLast = valid[n - 1] && ready[n];
    for (let i = 0; i < n; i++) {
      const inValid = i === 0 ? srcValid : valid[i - 1];
      units[i].step(inValid && ready[i], valid[i] && ready[i + 1], inValid, ready[i + 1]);
    }
    if (inFire0) {
      if (inCount % frameIn === 0) frameStarts.push(cycle);
      inCount++;
    }
    if (outFireLast) {
      if (firstOut < 0) firstOut = cycle;
      outCount++;
      if (outCount % frameOut === 0) frameEnds.push(cycle);
    }
    cycle++;
  }
  const first = frameStarts[0];
  return {
    cycles: frameEnds[frameEnds.length - 1] - first + 1,
    frameCycles: frameEnds.map((end, f) => end - frameStarts[f] + 1),
    frameEnds: frameEnds.map((end) => end - first),
    fillCycles: firstOut - first + 1,
  };
}
