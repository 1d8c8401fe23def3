import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { fullReport, hostileReport, minimalReport } from "./fixtures.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const schema = JSON.parse(readFileSync(join(ROOT, "schemas/report.schema.json"), "utf8")) as object;

// strict: the published schema must not rely on a keyword ajv would silently ignore
const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

function errorsOf(doc: unknown): ErrorObject[] {
  return validate(doc) ? [] : (validate.errors ?? []);
}

/** A deep copy through JSON: exactly what report.json holds. */
function asJson(doc: unknown): Record<string, any> {
  return JSON.parse(JSON.stringify(doc)) as Record<string, any>;
}

describe("schemas/report.schema.json", () => {
  it("is a draft-07 schema", () => {
    expect((schema as { $schema: string }).$schema).toBe("http://json-schema.org/draft-07/schema#");
  });

  it("accepts the sample reports as written to report.json", () => {
    for (const report of [fullReport(), minimalReport(), hostileReport()]) expect(errorsOf(asJson(report))).toEqual([]);
  });

  it("accepts the main job's proof runs and the whole-network error bar, and rejects a back-pressure above 1", () => {
    const r = fullReport();
    const bar = { relRms: 0.2, relWorst: 0.4, absAtZero: 0 };
    const doc = asJson({
      ...r,
      verification: { ...r.verification!, proof: [{ sim: "icarus", vectors: 10, compared: 10, matched: 10, bitExact: true, backpressure: 0.25 }] },
      resources: { ...r.resources, networkErrorBar: { family: "xilinx", networks: 6, lut: bar, ff: bar, dsp: bar, bramBits: bar } },
    });
    expect(errorsOf(doc)).toEqual([]);
    doc.verification.proof[0].backpressure = 1.5;
    expect(errorsOf(doc)).toContainEqual(expect.objectContaining({ instancePath: "/verification/proof/0/backpressure", keyword: "maximum" }));
  });

  it("rejects a report missing a required field, naming it", () => {
    const doc = asJson(fullReport());
    delete doc.model.hash;
    const errors = errorsOf(doc);
    expect(errors).toContainEqual(expect.objectContaining({ instancePath: "/model", keyword: "required", params: { missingProperty: "hash" } }));

    const noPerf = asJson(minimalReport());
    delete noPerf.performance;
    expect(errorsOf(noPerf)).toContainEqual(expect.objectContaining({ instancePath: "", keyword: "required", params: { missingProperty: "performance" } }));
  });

  it("rejects a field of the wrong type, naming its path", () => {
    const doc = asJson(fullReport());
    doc.performance.total.latencyCycles = "12800";
    expect(errorsOf(doc)).toContainEqual(expect.objectContaining({ instancePath: "/performance/total/latencyCycles", keyword: "type" }));

    const bitExact = asJson(fullReport());
    bitExact.verification.bitExact = "yes";
    expect(errorsOf(bitExact)).toContainEqual(expect.objectContaining({ instancePath: "/verification/bitExact", keyword: "type" }));
  });

  it("rejects unknown fields, an unknown kernel source, a bad timestamp and a half-range", () => {
    const extra = asJson(fullReport());
    extra.resources.estimate.uram = 3;
    expect(errorsOf(extra)).toContainEqual(expect.objectContaining({ instancePath: "/resources/estimate", keyword: "additionalProperties" }));

    const source = asJson(fullReport());
    source.comparison.kernels.adder.source = "guess";
    expect(errorsOf(source)).toContainEqual(expect.objectContaining({ instancePath: "/comparison/kernels/adder/source", keyword: "enum" }));

    const time = asJson(fullReport());
    time.createdAt = "yesterday";
    expect(errorsOf(time)).toContainEqual(expect.objectContaining({ instancePath: "/createdAt", keyword: "format" }));

    const range = asJson(fullReport());
    range.comparison.published.logicReductionPct = [67.6];
    expect(errorsOf(range)).toContainEqual(expect.objectContaining({ instancePath: "/comparison/published/logicReductionPct", keyword: "minItems" }));
  });

  it("allows a null Fmax (not placed and routed) but not a missing one", () => {
    const doc = asJson(fullReport());
    expect(doc.comparison.kernels.xnor.fmax_mhz).toBeNull();
    expect(errorsOf(doc)).toEqual([]);
    delete doc.comparison.kernels.xnor.fmax_mhz;
    expect(errorsOf(doc)).toContainEqual(expect.objectContaining({ instancePath: "/comparison/kernels/xnor", keyword: "required" }));
  });
});
