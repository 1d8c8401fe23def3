/**
 * The stream netlist of a model: which unit drives which stream. Shared by the
 * top-level Verilog (design.ts) and the cycle model (perf/streaming.ts) so
 * that both see exactly the same forks and FIFOs.
 *
 * - A layer whose output feeds n > 1 consumers drives a chain of 2-way eager
 *   forks (stream-fork.v.hbs).
 * - Each operand of a residual `add` reaches it through a FIFO [ours]: the
 *   operand whose path from the model input has fewer engine layers (the skip
 *   path) gets room for its whole tensor, which makes the join deadlock-free
 *   whatever the other branch's latency; the other operand gets a 2-entry FIFO.
 * - `flatten` is a wire: its consumers read its producer's stream.
 * - Plain chains need no FIFO: every unit's output is registered and the
 *   valid/ready handshake already decouples neighbours.
 */
import { AddLayer, isEngineLayer, Layer, Model, MODEL_INPUT, tensorSize } from "../ir/model.js";

export interface StreamRef {
  /** Index into Netlist.streams. */
  readonly stream: number;
}

export interface StreamInfo {
  /** Built from the identifier of `layer` (the producer), also for fork and FIFO streams. */
  readonly name: string;
  readonly bits: number;
  /** Index of the layer whose output this is (-1 = model input); forks and FIFOs carry the same values. */
  readonly layer: number;
}

/**
 * A unit of the top. `owner` of a fork or FIFO: the layer (index, -1 = the model
 * input) whose identifier its name is built from — the forked producer, the add
 * (buildNetlist always sets it; optional for nodes built by hand, e.g. in cost tests).
 */
export type NetNode =
  | {
      readonly kind: "layer";
      readonly name: string;
      readonly layer: Layer;
      readonly layerIndex: number;
      readonly inputs: readonly number[];
      readonly output: number;
    }
  | {
      readonly kind: "fork";
      readonly name: string;
      readonly owner?: number;
      readonly bits: number;
      readonly input: number;
      readonly outputs: readonly [number, number];
    }
  | {
      readonly kind: "fifo";
      readonly name: string;
      readonly owner?: number;
      readonly bits: number;
      readonly depth: number;
      readonly input: number;
      readonly output: number;
    };

export interface Netlist {
  readonly streams: readonly StreamInfo[];
  /** In topological order. */
  readonly nodes: readonly NetNode[];
  readonly inputStream: number;
  readonly outputStream: number;
  /** Stream of each layer's output (for taps), by layer index. */
  readonly layerStreams: readonly number[];
}

/** Entries of the FIFO on the operand of an add that is not the skip path. */
export const ADD_FIFO_SHALLOW = 2;

export function buildNetlist(model: Model, identifier: (name: string) => string = (n) => n): Netlist {
  const streams: StreamInfo[] = [];
  const nodes: NetNode[] = [];
  const newStream = (name: string, bits: number, layer: number) => {
    streams.push({ name, bits, layer });
    return streams.length - 1;
  };
  const index = new Map<string, number>(model.layers.map((l, i) => [l.name, i]));
  const inputStream = newStream("s_input", model.input.bits, -1);

  // producer name -> stream; flatten aliases its producer
  const produced = new Map<string, number>([[MODEL_INPUT, inputStream]]);
  const sourceOf = (name: string): string => {
    const i = index.get(name);
    if (i === undefined) return name;
    const l = model.layers[i];
    return l.kind === "flatten" ? sourceOf(l.inputs[0]) : name;
  };
  // consumers of each real producer, in layer order (an add may use one producer twice)
  const consumers = new Map<string, number>();
  for (const l of model.layers) {
    if (l.kind === "flatten") continue;
    for (const n of l.inputs) consumers.set(sourceOf(n), (consumers.get(sourceOf(n)) ?? 0) + 1);
  }
  // engine depth of each layer: engines on the longest path from the input
  const depth = new Map<string, number>([[MODEL_INPUT, 0]]);
  for (const l of model.layers) {
    const d = Math.max(...l.inputs.map((n) => depth.get(n)!));
    depth.set(l.name, d + (isEngineLayer(l) ? 1 : 0));
  }

  // branches handed out per producer: forks built lazily when the producer has > 1 consumers
  const branches = new Map<string, number[]>();
  const takeBranch = (producer: string): number => {
    const src = sourceOf(producer);
    let list = branches.get(src);
    if (!list) {
      const root = produced.get(src)!;
      const n = consumers.get(src) ?? 1;
      list = [];
      let current = root;
      const bits = streams[root].bits;
      for (let j = 0; j < n - 1; j++) {
        const a = newStream(`${streams[root].name}_b${j}`, bits, streams[root].layer);
        const b = newStream(`${streams[root].name}_r${j}`, bits, streams[root].layer);
        nodes.push({ kind: "fork", name: `${identifier(src)}_fork${j}`, owner: index.get(src) ?? -1, bits, input: current, outputs: [a, b] });
        list.push(a);
        current = b;
      }
      list.push(current);
      branches.set(src, list);
    }
    return list.shift()!;
  };

  const layerStreams: number[] = [];
  model.layers.forEach((layer, li) => {
    if (layer.kind === "flatten") {
      layerStreams.push(produced.get(sourceOf(layer.name))!);
      return;
    }
    let inputs = layer.inputs.map(takeBranch);
    if (layer.kind === "add") inputs = addFifos(layer, li, inputs, depth, streams, nodes, newStream, identifier);
    const output = newStream(`s_${identifier(layer.name)}`, layer.output.bits, li);
    nodes.push({ kind: "layer", name: identifier(layer.name), layer, layerIndex: li, inputs, output });
    produced.set(layer.name, output);
    layerStreams.push(output);
  });
  const lastName = sourceOf(model.layers[model.layers.length - 1].name);
  return { streams, nodes, inputStream, outputStream: produced.get(lastName)!, layerStreams };
}

function addFifos(
  layer: AddLayer,
  layerIndex: number,
  inputs: number[],
  depth: Map<string, number>,
  streams: StreamInfo[],
  nodes: NetNode[],
  newStream: (name: string, bits: number, layer: number) => number,
  identifier: (name: string) => string,
): number[] {
  const d = layer.inputs.map((n) => depth.get(n)!);
  const full = tensorSize(layer.input);
  return inputs.map((s, j) => {
    const skip = d[j] <= d[1 - j];
    const out = newStream(`${streams[s].name}_q${j}`, streams[s].bits, streams[s].layer);
    nodes.push({
      kind: "fifo",
      name: `${identifier(layer.name)}_fifo${j === 0 ? "a" : "b"}`,
      owner: layerIndex,
      bits: streams[s].bits,
      depth: skip ? full : ADD_FIFO_SHALLOW,
      input: s,
      output: out,
    });
    return out;
  });
}
