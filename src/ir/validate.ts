/** ajv validation of a model document; the first error becomes one QuantrtlError with a path and a hint. */
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from "ajv";
import type * as AjvModule from "ajv";
import { lazyPackage } from "../util/lazy.js";
import { LAYER_TYPES, modelSchema } from "./schema.js";
import { QuantrtlError } from "../util/errors.js";

const ajvPackage = lazyPackage<typeof AjvModule>("ajv");
let ajv: AjvClass | undefined;
const newAjv = () => new (ajvPackage().Ajv)({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true });

/** A schema's validator, compiled on first use (compiling is most of a CLI start-up that never needs it). */
export function compileSchema(schema: object): () => ValidateFunction {
  let validate: ValidateFunction | undefined;
  return () => (validate ??= (ajv ??= newAjv()).compile(schema));
}

const validateModelDoc = compileSchema(modelSchema);

export function validateModelDocument(doc: unknown, file: string | undefined): void {
  validateDocument(validateModelDoc(), doc, file);
}

/** Validates a document; the first (most specific) error becomes a QuantrtlError. */
export function validateDocument(validate: ValidateFunction, doc: unknown, file: string | undefined): void {
  if (validate(doc)) return;
  const errors = validate.errors ?? [];
  const best = pickError(errors);
  throw toQuantrtlError(best, errors, file);
}

/** The most specific error: deepest instance path, and not an anyOf summary when a branch error exists. */
function pickError(errors: ErrorObject[]): ErrorObject {
  const depth = (e: ErrorObject) => e.instancePath.split("/").length + (e.keyword === "required" || e.keyword === "additionalProperties" ? 1 : 0);
  const sorted = [...errors].sort((a, b) => depth(b) - depth(a));
  return sorted[0];
}

function toQuantrtlError(e: ErrorObject, all: ErrorObject[], file: string | undefined): QuantrtlError {
  const path = e.instancePath || "/";
  const p = e.params as Record<string, unknown>;
  // an anyOf (int-or-pair, array-or-file) reports each branch; say what the union accepts
  const anyOf = all.find((x) => x.keyword === "anyOf" && x.instancePath === e.instancePath);
  if (anyOf) {
    const field = e.instancePath.split("/").pop() ?? "";
    if (["weights", "bias", "biasInt", "embedding"].includes(field)) {
      return new QuantrtlError(file, path, "has the wrong form", 'use an array of integers, or {"file": "<path beside the model>"}');
    }
    const min = field === "padding" ? 0 : 1;
    return new QuantrtlError(
      file,
      path,
      `must be an integer >= ${min}, or a pair [y, x] of such integers`,
      `e.g. ${min === 0 ? "1 or [1, 0]" : "2 or [2, 1]"}`,
    );
  }
  switch (e.keyword) {
    case "discriminator": {
      const types = LAYER_TYPES.join(", ");
      if (p.error === "mapping") return new QuantrtlError(file, `${path}/type`, `unknown layer type ${JSON.stringify(p.tagValue)}`, `use one of ${types}`);
      if (p.error === "tag" && p.tagValue === undefined) return new QuantrtlError(file, path, 'missing field "type"', `add "type": one of ${types}`);
      return new QuantrtlError(file, `${path}/type`, "must be a string", `use one of ${types}`);
    }
    case "required":
      return new QuantrtlError(file, path, `missing field "${p.missingProperty}"`, `add "${p.missingProperty}"`);
    case "additionalProperties":
      return new QuantrtlError(
        file,
        `${path === "/" ? "" : path}/${p.additionalProperty}`,
        `unknown field "${p.additionalProperty}"`,
        "remove it or check its spelling",
      );
    case "type":
      return new QuantrtlError(file, path, `must be ${article(String(p.type))}`, `give ${article(String(p.type))}`);
    case "enum":
      return new QuantrtlError(file, path, `is not an allowed value`, `use one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`);
    case "const":
      return new QuantrtlError(file, path, `must be ${JSON.stringify(p.allowedValue)}`, `set it to ${JSON.stringify(p.allowedValue)}`);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum": {
      const op = e.keyword === "minimum" ? ">=" : e.keyword === "maximum" ? "<=" : ">";
      return new QuantrtlError(file, path, `is out of range: must be ${op} ${p.limit}`, `use a value ${op} ${p.limit}`);
    }
    case "pattern":
      return new QuantrtlError(file, path, `is not a safe name`, "use a letter followed by up to 31 letters, digits or underscores");
    case "minItems":
      return new QuantrtlError(
        file,
        path,
        `must have at least ${p.limit} item${p.limit === 1 ? "" : "s"}`,
        path === "/layers" ? "add a layer" : `give at least ${p.limit}`,
      );
    case "maxItems":
    case "minLength":
    case "maxLength":
      return new QuantrtlError(file, path, `has the wrong length (${e.message})`, `give a value that ${e.message}`);
    default:
      return new QuantrtlError(file, path, e.message ?? "is invalid", "see the model schema in src/ir/schema.ts");
  }
}

function article(type: string): string {
  return (/^[aeiou]/.test(type) ? "an " : "a ") + type;
}
