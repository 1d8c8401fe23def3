/**
 * Boards: one JSON per board in hw/boards (device resources from the vendors'
 * data sheets, see docs/figures.md), schema-validated at load.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileSchema, validateDocument } from "./validate.js";
import { packageRoot } from "../util/paths.js";
import { QuantrtlError } from "../util/errors.js";

export interface BoardResources {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bramBits: number;
  readonly uramBits: number;
  readonly spramBits: number;
  readonly lutType: string;
  readonly dspType: string;
  readonly bramBlock: string;
}

export interface Board {
  readonly name: string;
  readonly title: string;
  readonly part: string;
  readonly vendor: "xilinx" | "lattice";
  readonly family: "xc7" | "xcup" | "ice40" | "ecp5";
  readonly yosysFamily: "xilinx" | "ice40" | "ecp5";
  readonly synthCommand: string;
  readonly resources: BoardResources;
  readonly clockMHz: number;
  readonly clockNote: string;
  readonly dram: { readonly gbPerSecond: number; readonly note: string };
  /** Xilinx Zynq boards: the processing system of the Vivado block design (ps7: Zynq-7000, ps8: Zynq UltraScale+). */
  readonly zynq?: "ps7" | "ps8";
  /** Vivado board part (used when its board files are installed; the PS presets come from it). */
  readonly boardPart?: string;
  /** Package pins of the board's clock, UART (as the FPGA sees it: uartRx is its input) and LEDs (active low), for a PCF. */
  readonly pins?: BoardPins;
}

export interface BoardPins {
  readonly source: string;
  readonly clock: string;
  readonly uartRx: string;
  readonly uartTx: string;
  readonly ledRedN?: string;
  readonly ledGreenN?: string;
}

const count = { type: "integer", minimum: 0 };
export const boardSchema = {
  type: "object",
  required: ["quantrtlBoard", "name", "title", "part", "vendor", "family", "yosysFamily", "synthCommand", "resources", "clockMHz", "clockNote", "dram"],
  additionalProperties: false,
  properties: {
    quantrtlBoard: { const: 1 },
    name: { type: "string", pattern: "^[a-z0-9][a-z0-9-]*$" },
    title: { type: "string" },
    part: { type: "string" },
    vendor: { enum: ["xilinx", "lattice"] },
    family: { enum: ["xc7", "xcup", "ice40", "ecp5"] },
    yosysFamily: { enum: ["xilinx", "ice40", "ecp5"] },
    synthCommand: { type: "string" },
    resources: {
      type: "object",
      required: ["lut", "ff", "dsp", "bramBits", "uramBits", "spramBits", "lutType", "dspType", "bramBlock"],
      additionalProperties: false,
      properties: {
        lut: count,
        ff: count,
        dsp: count,
        bramBits: count,
        uramBits: count,
        spramBits: count,
        lutType: { type: "string" },
        dspType: { type: "string" },
        bramBlock: { type: "string" },
      },
    },
    clockMHz: { type: "number", exclusiveMinimum: 0 },
    clockNote: { type: "string" },
    dram: {
      type: "object",
      required: ["gbPerSecond", "note"],
      additionalProperties: false,
      properties: { gbPerSecond: { type: "number", minimum: 0 }, note: { type: "string" } },
    },
    pins: {
      type: "object",
      required: ["source", "clock", "uartRx", "uartTx"],
      additionalProperties: false,
      properties: {
        source: { type: "string" },
        clock: { type: "string" },
        uartRx: { type: "string" },
        uartTx: { type: "string" },
        ledRedN: { type: "string" },
        ledGreenN: { type: "string" },
      },
    },
    zynq: { enum: ["ps7", "ps8"] },
    boardPart: { type: "string", pattern: "^[A-Za-z0-9_.:-]+$" },
  },
} as const;

const validateBoard = compileSchema(boardSchema);

export const DEFAULT_BOARD = "pynq-z2";

function boardsDir(): string {
  return join(packageRoot(), "hw", "boards");
}

/** The names of the bundled boards (hw/boards/*.json), sorted: what {@link loadBoard} accepts. */
export function boardNames(): string[] {
  return readdirSync(boardsDir())
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Parses and validates a board document (from hw/boards or a user's file). */
export function parseBoard(doc: unknown, file?: string): Board {
  validateDocument(validateBoard(), doc, file);
  const { quantrtlBoard: _version, ...board } = doc as Board & { quantrtlBoard: 1 };
  return board;
}

/** A bundled board by name, or a path to a board JSON file. */
export function loadBoard(nameOrFile: string = DEFAULT_BOARD): Board {
  const file = nameOrFile.endsWith(".json") ? nameOrFile : join(boardsDir(), `${nameOrFile}.json`);
  if (!existsSync(file)) {
    throw new QuantrtlError(undefined, "--board", `"${nameOrFile}" is not a known board`, `use one of ${boardNames().join(", ")}, or a path to a board .json`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new QuantrtlError(file, "", `is not valid JSON (${(err as Error).message})`, "fix the JSON syntax");
  }
  return parseBoard(doc, file);
}
