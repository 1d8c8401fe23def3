/**
 * What one IR layer kind is in hardware, stated once: its integer result, the
 * modules it is built from, their cycle models and their resource features. The
 * registry (index.ts) holds one LayerImpl per kind; code that needs "for each
 * kind" asks it instead of switching on the kind.
 */
import { IntTensor, Layer } from "../../ir/model.js";
import { SynthTarget } from "../target.js";
import { TimedUnit } from "../units/stream/timing.js";
import { EmitContext } from "./context.js";
import { StreamUnitFeatures } from "./features.js";

export interface LayerImpl<L extends Layer> {
  /** A wire in hardware (flatten): no module, the stream passes through. */
  readonly wire?: true;
  /**
   * Its integer parameters are derived from its input width (the integer ViT units: score
   * widths, divider and LUT sizes). A datapath rebuild (estimate/energy.ts withDatapath)
   * that would change that width does not apply to the model.
   */
  readonly widthBound?: true;
  /** The exact integer output (docs/integer-ops.md) on the layer's inputs, in the order of `layer.inputs`. */
  golden(layer: L, inputs: readonly IntTensor[]): IntTensor;
  /**
   * Writes the layer's modules and ROMs through `ctx`; returns the layer's top module
   * (standard stream ports; `add`: two inputs a_/b_). Undefined for a wire layer
   * (flatten): the top connects its input stream straight through.
   */
  emit(ctx: EmitContext, layer: L): string | undefined;
  /** The cycle models of the units one element passes through, in order (one input, one output); undefined for a wire. */
  timing(layer: L): TimedUnit[] | undefined;
  /**
   * Cycles one frame takes in a unit that needs many cycles per element (the integer
   * ViT units: row buffers, sequential dividers), from their phase lengths; absent
   * for the layers that stream about one element per cycle.
   */
  frameCycles?(layer: L): number;
  /** Resource features of the layer's units when it is not a matrix-vector engine (engines: estimate/resources.ts); undefined for engines and wires. */
  /** inputBits: the widths of the streams that feed it in the netlist (a residual add's operands can differ from its declared input). */
  features(layer: L, target: SynthTarget, inputBits?: readonly number[]): StreamUnitFeatures | undefined;
  /** The layer's integer parameters in a few words, for `quantrtl check` ("" when its shape says it all). */
  describe(layer: L): string;
}
