/**
 * The flat-.wat assembler (scripts/wat.ts): LEB128 and instruction encodings checked
 * against bytes written out by hand from the WebAssembly 2.0 binary format, a whole
 * module byte for byte, SIMD modules run with hand-computed results, and the errors for
 * text outside its subset.
 */
import { describe, expect, test } from "vitest";
import { assembleWat, signedLeb, unsignedLeb } from "../../scripts/wat.js";

type Exports = Record<string, (...args: number[]) => number> & { memory: { buffer: ArrayBuffer } };
/** The WebAssembly JS API (not in the compile settings' libs). */
const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (m: object) => { exports: unknown }; Module: new (b: Uint8Array) => object } })
  .WebAssembly;
const run = (text: string): Exports => new wasm.Instance(new wasm.Module(assembleWat(text))).exports as Exports;

describe("LEB128", () => {
  test("unsigned and signed encodings of the spec's examples", () => {
    expect(unsignedLeb(0)).toEqual([0x00]);
    expect(unsignedLeb(127)).toEqual([0x7f]);
    expect(unsignedLeb(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(signedLeb(0n)).toEqual([0x00]);
    expect(signedLeb(-1n)).toEqual([0x7f]);
    expect(signedLeb(63n)).toEqual([0x3f]);
    expect(signedLeb(64n)).toEqual([0xc0, 0x00]);
    expect(signedLeb(-64n)).toEqual([0x40]);
    expect(signedLeb(-65n)).toEqual([0xbf, 0x7f]);
    expect(signedLeb(-123456n)).toEqual([0xc0, 0xbb, 0x78]);
  });
});

describe("assembleWat", () => {
  test("a module with one exported i32 function, byte for byte", () => {
    const bytes = assembleWat(`(module (func $add (export "add") (param $a i32) (param $b i32) (result i32) local.get $a local.get $b i32.add))`);
    // prettier-ignore
    expect(Array.from(bytes)).toEqual([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
      0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type section: (i32 i32) -> i32
      0x03, 0x02, 0x01, 0x00, // function section: type 0
      0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, // export "add" func 0
      0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, // code: no locals, get 0, get 1, add, end
    ]);
  });

  test("SIMD opcodes, memargs, lanes, labels and constants encode as the binary format lists them", () => {
    const body = (instrs: string): number[] => {
      const bytes = Array.from(assembleWat(`(module (memory 1) (func $f (local $v v128) ${instrs}))`));
      // the code section is last: [0x0a size count bodySize localsVec(1 entry: 01 01 7b) …code 0x0b]
      const code = bytes.lastIndexOf(0x0a, bytes.length - 1);
      return bytes.slice(bytes.indexOf(0x7b, code) + 1, -1);
    };
    expect(body("i32.const 0 v128.load offset=16 align=1 drop")).toEqual([0x41, 0x00, 0xfd, 0x00, 0x00, 0x10, 0x1a]);
    expect(body("i32.const 0 i32.load drop")).toEqual([0x41, 0x00, 0x28, 0x02, 0x00, 0x1a]);
    expect(body("local.get $v local.get $v i32x4.dot_i16x8_s local.set $v")).toEqual([0x20, 0x00, 0x20, 0x00, 0xfd, 0xba, 0x01, 0x21, 0x00]);
    expect(body("local.get $v i32x4.extadd_pairwise_i16x8_u i32x4.extract_lane 3 drop")).toEqual([0x20, 0x00, 0xfd, 0x7f, 0xfd, 0x1b, 0x03, 0x1a]);
    expect(body("v128.const i32x4 1 -1 0 256 drop")).toEqual([0xfd, 0x0c, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 0x1a]);
    expect(body("block $out loop $top i32.const 1 br_if $top br $out end end")).toEqual([
      0x02, 0x40, 0x03, 0x40, 0x41, 0x01, 0x0d, 0x00, 0x0c, 0x01, 0x0b, 0x0b,
    ]);
  });

  test("assembled SIMD code computes hand-computed sums", () => {
    const k = run(`(module (memory (export "memory") 1)
      (func $dot (export "dot") (param $x i32) (param $w i32) (result i32) (local $v v128)
        local.get $x v128.load local.get $w v128.load i32x4.dot_i16x8_s local.set $v
        local.get $v i32x4.extract_lane 0 local.get $v i32x4.extract_lane 1 i32.add
        local.get $v i32x4.extract_lane 2 i32.add local.get $v i32x4.extract_lane 3 i32.add)
      (func $sad (export "sad") (param $x i32) (param $w i32) (result i32) (local $a v128) (local $b v128) (local $v v128)
        local.get $x v128.load local.set $a local.get $w v128.load local.set $b
        local.get $a local.get $b i8x16.max_s local.get $a local.get $b i8x16.min_s i8x16.sub
        i16x8.extadd_pairwise_i8x16_u i32x4.extadd_pairwise_i16x8_u local.set $v
        local.get $v i32x4.extract_lane 0 local.get $v i32x4.extract_lane 1 i32.add
        local.get $v i32x4.extract_lane 2 i32.add local.get $v i32x4.extract_lane 3 i32.add))`);
    const memory = k.memory;
    const i16 = new Int16Array(memory.buffer);
    i16.set([1, 2, 3, 4, 5, 6, 7, 8], 0);
    i16.set([1, -2, 3, -4, 5, -6, 7, -8], 8);
    expect(k.dot(0, 16)).toBe(1 - 4 + 9 - 16 + 25 - 36 + 49 - 64); // −36
    const i8 = new Int8Array(memory.buffer);
    i8.set([-128, 127, 0, 5, -5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 64);
    i8.set([127, -128, 0, -5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 80);
    expect(k.sad(64, 80)).toBe(255 + 255 + 0 + 10 + 10 + 1);
  });

  test("text outside the subset is an error, not a guess", () => {
    expect(() => assembleWat(`(module (func $f i32.popcnt))`)).toThrow(/unsupported instruction i32.popcnt/);
    expect(() => assembleWat(`(module (func $f (local $a i32) local.get $b drop))`)).toThrow(/unknown local \$b/);
    expect(() => assembleWat(`(module (func $f block $a br $b end))`)).toThrow(/unknown label \$b/);
    expect(() => assembleWat(`(module (func $f block $a))`)).toThrow(/not closed/);
    expect(() => assembleWat(`(module (func $f (i32.add (i32.const 1) (i32.const 2)) drop))`)).toThrow(/unsupported field \(i32.add/);
    expect(() => assembleWat(`(module (func $f i32.const 1 (drop)))`)).toThrow(/folded/);
    expect(() => assembleWat(`(module (func $f i32.const 0 i32.load align=8 drop))`)).toThrow(/align/);
  });
});
