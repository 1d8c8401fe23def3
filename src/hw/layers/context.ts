/** What every layer emitter gets: the model, a module-name prefix, and a way to add files. */
import { Model } from "../../ir/model.js";

export interface EmitContext {
  readonly model: Model;
  /** `<model>_<layer>`: every module and ROM of the layer starts with it. */
  readonly prefix: string;
  /** Adds rtl/<name>; sources (Verilog) go into files.f in the order added. */
  add(name: string, content: string, isSource: boolean): void;
  /** The generated-file header for a unit of this layer (generator version, model hash, what). */
  header(what: string): string;
}
