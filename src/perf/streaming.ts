/**
 * Cycle-approximate model of the streaming dataflow codegen emits: every unit's
 * timing registers stepped cycle by cycle (src/hw/units/<unit>/timing.ts), fed by a source that
 * offers a word every cycle and drained by a sink that is always ready — the
 * conditions of `quantrtl verify --backpressure 0`, whose measured cycle count
 * this predicts exactly (test/flows/predict.test.ts, the unit timing tests and the RTL tests).
 */
import { engineConv, isEngineLayer, Model, tensorSize } from "../ir/model.js";
import { idealCycles } from "../ir/folding.js";
import { buildNetlist, Netlist } from "../hw/netlist.js";
import { ChainNode, FifoTiming, ForkTiming, GraphUnit, JoinTiming } from "./graph.js";
import { layerTiming, unitFrameCycles } from "../hw/layers/index.js";

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

function nodeUnit(node: Netlist["nodes"][number]): GraphUnit {
  switch (node.kind) {
    case "fork":
      return new ForkTiming();
    case "fifo":
      return new FifoTiming(node.depth);
    case "layer":
      return node.layer.kind === "add" ? new JoinTiming() : new ChainNode(layerTiming(node.layer));
  }
}

/** Steps the whole netlist (the same forks and FIFOs as the RTL top) for `frames` back-to-back frames with no stalls at either end. */
export function simulateStream(model: Model, frames = 1): StreamRun {
  const netlist = buildNetlist(model);
  const units = netlist.nodes.map(nodeUnit);
  const ins = netlist.nodes.map((n) => (n.kind === "fork" || n.kind === "fifo" ? [n.input] : n.inputs));
  const outs = netlist.nodes.map((n) => (n.kind === "fork" ? [...n.outputs] : [n.output]));
  const S = netlist.streams.length;
  const frameIn = tensorSize(model.input);
  const frameOut = tensorSize(model.layers[model.layers.length - 1].output);
  const totalIn = frameIn * frames;
  const totalOut = frameOut * frames;
  const work = model.layers.reduce(
    (s, l) => s + (isEngineLayer(l) ? idealCycles(engineConv(l)) : (unitFrameCycles(l) ?? tensorSize(l.input))) + tensorSize(l.output),
    0,
  );
  const limit = (work + frameIn) * frames * 4 + 10_000;

  const valid = new Array<boolean>(S).fill(false);
  const ready = new Array<boolean>(S).fill(false);
  const fire = new Array<boolean>(S).fill(false);
  let inCount = 0;
  let outCount = 0;
  let cycle = 0;
  const frameStarts: number[] = [];
  const frameEnds: number[] = [];
  let firstOut = -1;
  // per-node scratch arrays, refilled every cycle (no unit keeps them): the stepping loop allocates nothing
  const scratch = (idx: readonly (readonly number[])[]) => idx.map((i) => new Array<boolean>(i.length).fill(false));
  const inValid = scratch(ins);
  const outReady = scratch(outs);
  const inFire = scratch(ins);
  const outFire = scratch(outs);
  const gather = (dst: boolean[], src: readonly boolean[], idx: readonly number[]) => {
    for (let j = 0; j < idx.length; j++) dst[j] = src[idx[j]];
    return dst;
  };
  while (outCount < totalOut) {
    if (cycle > limit) throw new Error(`streaming model: no progress after ${cycle} cycles (deadlock in the model)`);
    valid[netlist.inputStream] = inCount < totalIn;
    for (let n = 0; n < units.length; n++) {
      const v = units[n].outValid(gather(inValid[n], valid, ins[n]));
      const o = outs[n];
      for (let j = 0; j < o.length; j++) valid[o[j]] = v[j];
    }
    ready[netlist.outputStream] = true;
    for (let n = units.length - 1; n >= 0; n--) {
      const r = units[n].inReady(gather(inValid[n], valid, ins[n]), gather(outReady[n], ready, outs[n]));
      const i = ins[n];
      for (let j = 0; j < i.length; j++) ready[i[j]] = r[j];
    }
    for (let st = 0; st < S; st++) fire[st] = valid[st] && ready[st];
    for (let n = 0; n < units.length; n++) {
      units[n].step(gather(inFire[n], fire, ins[n]), gather(outFire[n], fire, outs[n]), gather(inValid[n], valid, ins[n]), gather(outReady[n], ready, outs[n]));
    }
    if (fire[netlist.inputStream]) {
      if (inCount % frameIn === 0) frameStarts.push(cycle);
      inCount++;
    }
    if (fire[netlist.outputStream]) {
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
