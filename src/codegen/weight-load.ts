/**
 * The weight load image of a design whose engines keep their weights in loadable RAMs
 * (Folding.weightMemory = "spram": an iCE40 SB_SPRAM256KA has no initial contents). The top's
 * weight-load port (templates/verilog/top.v.hbs) takes it after reset: the loadable engines in
 * layer order, each its weight words in address order, each word as ceil(width / 8) bytes,
 * least significant first. The words are the ones a weight ROM's .hex holds (mvuWeightWords),
 * so ROM and RAM come from one definition.
 */
import { engineConv, EngineLayer, Model } from "../ir/model.js";
import { mvuWeightMemory, weightLoadBytesPerWord, weightLoadImage } from "../hw/units/mvu/params.js";
import { hasLoadableWeights } from "./design.js";

/** The loadable engines of a model, in load order (layer order). */
export function loadableEngines(model: Model): EngineLayer[] {
  return model.layers.filter(hasLoadableWeights) as EngineLayer[];
}

/** The whole image, engine after engine; empty when every weight is a ROM. */
export function modelWeightLoadImage(model: Model): Uint8Array {
  const parts = loadableEngines(model).map((l) => weightLoadImage(engineConv(l)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** Its length in bytes, without building it: NF·SF words of weightLoadBytesPerWord bytes per engine. */
export function weightLoadBytes(model: Model): number {
  return loadableEngines(model).reduce((n, l) => {
    const c = engineConv(l);
    return n + mvuWeightMemory(c).depth * weightLoadBytesPerWord(c);
  }, 0);
}
