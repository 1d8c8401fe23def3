/**
 * Resource features of the serializer (templates/verilog/serializer.v.hbs): a
 * PE-element hold register shifted out one element per beat.
 */
import { Conv2dLayer } from "../../../ir/model.js";
import { Features } from "../../target.js";

export function serializerFeatures(layer: Conv2dLayer): Features {
  return { "serializer.holdBits": layer.arch.pe * layer.output.bits };
}
