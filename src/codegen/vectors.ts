/**
 * Test vectors from the golden reference: one element per line, two's-complement
 * hex of the stream width (binary tensors as bits, 1 ↔ +1), every file with the
 * generated-file header.
 */
import { readFileSync } from "node:fs";
import { IntTensor } from "../ir/model.js";
import { bitOfSign } from "../arith/datapath.js";
import { hexWord } from "../hw/verilog.js";

export function tensorWords(t: IntTensor): number[] {
  const words = new Array<number>(t.data.length);
  for (let i = 0; i < t.data.length; i++) words[i] = t.bits === 1 ? bitOfSign(t.data[i]) : t.data[i];
  return words;
}

export function hexLines(tensors: readonly IntTensor[], bits: number, header: string): string {
  const lines: string[] = [header];
  for (const t of tensors) for (const w of tensorWords(t)) lines.push(hexWord(w, bits));
  return lines.join("\n") + "\n";
}

/** Two's-complement word of `bits` bits back to a signed value (binary: bit -> ±1). */
export function wordValue(word: number, bits: number): number {
  if (bits === 1) return word ? 1 : -1;
  return word >= 2 ** (bits - 1) ? word - 2 ** bits : word;
}

/** Words in a vector file (hexLines format: `//` lines are comments, one word per other line). */
export function wordCount(file: string): number {
  let n = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const text = line.replace(/\/\/.*$/, "").trim();
    if (text !== "") n += text.split(/\s+/).length;
  }
  return n;
}
