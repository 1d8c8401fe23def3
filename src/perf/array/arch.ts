/**
 * Architecture of the ARRAY model: one R×C systolic array of PEs, three
 * on-chip SRAM buffers (ifmap, weights, ofmap — SCALE-Sim's split) and one
 * DRAM port. Validated here, at the edge; the model trusts it.
 */
import { QuantrtlError } from "../../util/errors.js";
import { ARRAY_DATAPATHS, type ArrayDatapath } from "./workload.js";

/**
 * ws (weight-stationary): a K×N weight tile sits in the PEs, ifmap rows stream through.
 * os (output-stationary): an M×N output tile accumulates in the PEs, A and B stream through.
 */
export type Dataflow = "ws" | "os";
export const DATAFLOWS: readonly Dataflow[] = ["ws", "os"];

export interface ArrayArch {
  /** PE rows R: the reduction (K) axis in ws, the M axis in os. */
  readonly rows: number;
  /** PE columns C: the output-feature (N) axis in both dataflows. */
  readonly cols: number;
  readonly datapath: ArrayDatapath;
  readonly dataflow: Dataflow;
  readonly ifmapBufferBytes: number;
  readonly weightBufferBytes: number;
  readonly ofmapBufferBytes: number;
  /** Sustained DRAM bandwidth; may be fractional (e.g. 12.8 B/cycle). */
  readonly dramBytesPerCycle: number;
  readonly clockMHz: number;
}

function fail(parameter: string, problem: string, hint: string): never {
  throw new QuantrtlError(undefined, parameter, problem, hint);
}

/** Returns the input as an ArrayArch, or throws a QuantrtlError naming the first invalid parameter. */
export function validateArch(input: unknown): ArrayArch {
  if (typeof input !== "object" || input === null)
    fail("arch", "the array architecture must be an object", "{ rows, cols, datapath, dataflow, ifmapBufferBytes, … }");
  const arch = input as Record<string, unknown>;
  for (const key of ["rows", "cols", "ifmapBufferBytes", "weightBufferBytes", "ofmapBufferBytes"]) {
    const v = arch[key];
    if (!(typeof v === "number" && Number.isInteger(v) && v > 0))
      fail(key, `${key} must be a positive integer, got ${JSON.stringify(v)}`, key === "rows" || key === "cols" ? "e.g. 32" : "bytes, e.g. 65536");
  }
  for (const key of ["dramBytesPerCycle", "clockMHz"]) {
    const v = arch[key];
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0))
      fail(key, `${key} must be a positive finite number, got ${JSON.stringify(v)}`, key === "clockMHz" ? "e.g. 200" : "e.g. 16");
  }
  if (!ARRAY_DATAPATHS.includes(arch.datapath as ArrayDatapath)) {
    fail("datapath", `unknown datapath ${JSON.stringify(arch.datapath)}`, `one of ${ARRAY_DATAPATHS.join(", ")}`);
  }
  if (!DATAFLOWS.includes(arch.dataflow as Dataflow)) {
    fail("dataflow", `unknown dataflow ${JSON.stringify(arch.dataflow)}`, '"ws" (weight-stationary) or "os" (output-stationary)');
  }
  return input as ArrayArch;
}
