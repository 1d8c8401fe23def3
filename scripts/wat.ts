/**
 * A small assembler for the subset of WebAssembly text the golden's SIMD kernels
 * (src/hw/golden/wasm/kernels.wat) are written in — so the build needs no wabt:
 *   (module (memory (export "m") min) (func $f (export "f") (param $a i32)… (result i32)? (local $x v128)… instr…))
 * Instructions are in flat (not folded) form, one opcode and its immediates each:
 * block/loop with a label and no result, br/br_if by label, local.* by name, i32/i64
 * constants, loads/stores with offset=, and the SIMD opcodes listed below. The opcode
 * numbers are those of the WebAssembly 2.0 binary format (§5.4, SIMD §5.4.8); anything
 * else is an error, never a guess. test/scripts/wat.test.ts checks encodings by hand.
 */

const VALTYPE: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Opcodes without immediates. */
const PLAIN: Record<string, number> = {
  return: 0x0f,
  drop: 0x1a,
  select: 0x1b,
  "i32.eqz": 0x45,
  "i32.eq": 0x46,
  "i32.ne": 0x47,
  "i32.lt_s": 0x48,
  "i32.lt_u": 0x49,
  "i32.gt_s": 0x4a,
  "i32.gt_u": 0x4b,
  "i32.le_s": 0x4c,
  "i32.le_u": 0x4d,
  "i32.ge_s": 0x4e,
  "i32.ge_u": 0x4f,
  "i32.add": 0x6a,
  "i32.sub": 0x6b,
  "i32.mul": 0x6c,
  "i32.and": 0x71,
  "i32.or": 0x72,
  "i32.shl": 0x74,
  "i32.shr_s": 0x75,
  "i32.shr_u": 0x76,
};

/** Memory instructions: opcode and natural alignment (log2 bytes), the default align= of the text format. */
const MEMORY: Record<string, [number, number]> = {
  "i32.load": [0x28, 2],
  "i64.load": [0x29, 3],
  "i32.store": [0x36, 2],
  "i64.store": [0x37, 3],
};

/** SIMD (0xFD-prefixed) opcodes without immediates. */
const SIMD: Record<string, number> = {
  "i32x4.splat": 0x11,
  "v128.and": 0x4e,
  "v128.or": 0x50,
  "v128.xor": 0x51,
  "i8x16.sub": 0x71,
  "i8x16.min_s": 0x76,
  "i8x16.min_u": 0x77,
  "i8x16.max_s": 0x78,
  "i8x16.max_u": 0x79,
  "i16x8.extadd_pairwise_i8x16_s": 0x7c,
  "i16x8.extadd_pairwise_i8x16_u": 0x7d,
  "i32x4.extadd_pairwise_i16x8_s": 0x7e,
  "i32x4.extadd_pairwise_i16x8_u": 0x7f,
  "i16x8.add": 0x8e,
  "i16x8.sub": 0x91,
  "i16x8.min_s": 0x96,
  "i16x8.max_s": 0x98,
  "i32x4.add": 0xae,
  "i32x4.sub": 0xb1,
  "i32x4.dot_i16x8_s": 0xba,
};
const SIMD_MEMORY: Record<string, [number, number]> = { "v128.load": [0x00, 4], "v128.store": [0x0b, 4] };
const SIMD_LANE: Record<string, [number, number]> = { "i32x4.extract_lane": [0x1b, 4] };

export function unsignedLeb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`not a u32: ${n}`);
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

export function signedLeb(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n; // arithmetic shift on BigInt
    const signBit = byte & 0x40;
    if ((value === 0n && !signBit) || (value === -1n && signBit)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function name(s: string): number[] {
  const bytes = [...Buffer.from(s, "utf8")];
  return [...unsignedLeb(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...unsignedLeb(body.length), ...body];
}

type Sexp = string | Sexp[];

function parse(text: string): Sexp {
  const tokens = text
    .replace(/;;[^\n]*/g, " ")
    .replace(/\(;[\s\S]*?;\)/g, " ")
    .match(/"[^"]*"|\(|\)|[^\s()]+/g);
  if (!tokens) throw new Error("empty module");
  let at = 0;
  const read = (): Sexp => {
    const t = tokens[at++];
    if (t !== "(") {
      if (t === ")") throw new Error("unbalanced )");
      return t;
    }
    const list: Sexp[] = [];
    while (tokens[at] !== ")") {
      if (at >= tokens.length) throw new Error("unbalanced (");
      list.push(read());
    }
    at++;
    return list;
  };
  const top = read();
  if (at !== tokens.length) throw new Error("text after the module");
  return top;
}

const isList = (s: Sexp, head: string): s is Sexp[] => Array.isArray(s) && s[0] === head;
const str = (s: Sexp): string => {
  if (typeof s !== "string") throw new Error(`expected a word, got a list`);
  return s;
};
const quoted = (s: Sexp): string => {
  const t = str(s);
  if (!/^".*"$/.test(t)) throw new Error(`expected a string, got ${t}`);
  return t.slice(1, -1);
};

function integer(t: string): bigint {
  if (!/^-?(0x[0-9a-f]+|[0-9]+)$/i.test(t)) throw new Error(`not an integer: ${t}`);
  return t.startsWith("-") ? -BigInt(t.slice(1)) : BigInt(t);
}

interface Func {
  readonly name: string;
  readonly exportName?: string;
  readonly params: string[];
  readonly paramTypes: number[];
  readonly results: number[];
  readonly locals: string[];
  readonly localTypes: number[];
  readonly body: string[];
}

function readFunc(f: Sexp[]): Func {
  let i = 1;
  const fname = str(f[i]).startsWith("$") ? str(f[i++]) : "(func)";
  let exportName: string | undefined;
  const params: string[] = [];
  const paramTypes: number[] = [];
  const results: number[] = [];
  const locals: string[] = [];
  const localTypes: number[] = [];
  for (; i < f.length && Array.isArray(f[i]); i++) {
    const field = f[i] as Sexp[];
    const head = field[0];
    const type = (t: Sexp): number => {
      const v = VALTYPE[str(t)];
      if (v === undefined) throw new Error(`${fname}: unknown type ${str(t)}`);
      return v;
    };
    if (head === "export") exportName = quoted(field[1]);
    else if (head === "param" || head === "local") {
      if (field.length !== 3 || !str(field[1]).startsWith("$")) throw new Error(`${fname}: write one named ${head} per (${head} $name type)`);
      (head === "param" ? params : locals).push(str(field[1]));
      (head === "param" ? paramTypes : localTypes).push(type(field[2]));
    } else if (head === "result") for (const t of field.slice(1)) results.push(type(t));
    else throw new Error(`${fname}: unsupported field (${String(head)} …)`);
  }
  const body = f.slice(i).map((s) => {
    if (typeof s !== "string") throw new Error(`${fname}: folded instructions are not supported; write them flat`);
    return s;
  });
  return { name: fname, exportName, params, paramTypes, results, locals, localTypes, body };
}

function memarg(tokens: string[], at: number, naturalAlign: number): [number[], number] {
  let offset = 0;
  let align = naturalAlign;
  for (;;) {
    const t = tokens[at];
    if (t?.startsWith("offset=")) offset = Number(integer(t.slice(7)));
    else if (t?.startsWith("align=")) {
      const bytes = Number(integer(t.slice(6)));
      align = Math.log2(bytes);
      if (!Number.isInteger(align) || align > naturalAlign) throw new Error(`bad align=${bytes}`);
    } else break;
    at++;
  }
  return [[...unsignedLeb(align), ...unsignedLeb(offset)], at];
}

function assembleBody(f: Func): number[] {
  const names = [...f.params, ...f.locals];
  const local = (t: string): number => {
    const i = names.indexOf(t);
    if (i < 0) throw new Error(`${f.name}: unknown local ${t}`);
    return i;
  };
  const labels: string[] = [];
  const code: number[] = [];
  const tokens = f.body;
  for (let at = 0; at < tokens.length;) {
    const op = tokens[at++];
    if (op === "block" || op === "loop") {
      const label = tokens[at]?.startsWith("$") ? tokens[at++] : "";
      labels.push(label);
      code.push(op === "block" ? 0x02 : 0x03, 0x40);
    } else if (op === "end") {
      if (!labels.length) throw new Error(`${f.name}: end without block`);
      labels.pop();
      code.push(0x0b);
    } else if (op === "br" || op === "br_if") {
      const label = tokens[at++];
      const depth = labels.length - 1 - labels.lastIndexOf(label);
      if (!label?.startsWith("$") || depth >= labels.length) throw new Error(`${f.name}: unknown label ${label}`);
      code.push(op === "br" ? 0x0c : 0x0d, ...unsignedLeb(depth));
    } else if (op === "local.get" || op === "local.set" || op === "local.tee") {
      code.push({ "local.get": 0x20, "local.set": 0x21, "local.tee": 0x22 }[op], ...unsignedLeb(local(tokens[at++])));
    } else if (op === "i32.const") {
      const v = integer(tokens[at++]);
      if (v < -(2n ** 31n) || v >= 2n ** 32n) throw new Error(`${f.name}: i32.const ${v} out of range`);
      code.push(0x41, ...signedLeb(BigInt.asIntN(32, v)));
    } else if (op === "i64.const") {
      code.push(0x42, ...signedLeb(BigInt.asIntN(64, integer(tokens[at++]))));
    } else if (op in PLAIN) code.push(PLAIN[op]);
    else if (op in MEMORY) {
      const [opcode, natural] = MEMORY[op];
      const [arg, next] = memarg(tokens, at, natural);
      at = next;
      code.push(opcode, ...arg);
    } else if (op in SIMD) code.push(0xfd, ...unsignedLeb(SIMD[op]));
    else if (op in SIMD_MEMORY) {
      const [opcode, natural] = SIMD_MEMORY[op];
      const [arg, next] = memarg(tokens, at, natural);
      at = next;
      code.push(0xfd, ...unsignedLeb(opcode), ...arg);
    } else if (op in SIMD_LANE) {
      const [opcode, lanes] = SIMD_LANE[op];
      const lane = Number(integer(tokens[at++]));
      if (lane < 0 || lane >= lanes) throw new Error(`${f.name}: lane ${lane} out of range`);
      code.push(0xfd, ...unsignedLeb(opcode), lane);
    } else if (op === "v128.const") {
      if (tokens[at++] !== "i32x4") throw new Error(`${f.name}: write v128.const i32x4 a b c d`);
      code.push(0xfd, ...unsignedLeb(0x0c));
      for (let k = 0; k < 4; k++) {
        const v = Number(BigInt.asUintN(32, integer(tokens[at++])));
        code.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
      }
    } else throw new Error(`${f.name}: unsupported instruction ${op}`);
  }
  if (labels.length) throw new Error(`${f.name}: ${labels.length} block(s) not closed`);
  // locals: one (count 1, type) entry each — simple and valid
  const locals = vec(f.localTypes.map((t) => [1, t]));
  const body = [...locals, ...code, 0x0b];
  return [...unsignedLeb(body.length), ...body];
}

/** The binary module of a text module in the subset above. */
export function assembleWat(text: string): Uint8Array {
  const module = parse(text);
  if (!isList(module, "module")) throw new Error("expected (module …)");
  const funcs: Func[] = [];
  let memory: { min: number; exportName?: string } | undefined;
  for (const field of module.slice(1)) {
    if (isList(field, "func")) funcs.push(readFunc(field));
    else if (isList(field, "memory")) {
      const exp = field.find((s) => isList(s, "export")) as Sexp[] | undefined;
      const min = field.filter((s) => typeof s === "string" && /^[0-9]+$/.test(s));
      if (min.length !== 1) throw new Error('write (memory (export "name")? min)');
      memory = { min: Number(min[0]), exportName: exp ? quoted(exp[1]) : undefined };
    } else throw new Error(`unsupported module field ${JSON.stringify(field).slice(0, 40)}`);
  }
  const types: string[] = [];
  const typeBytes: number[][] = [];
  const typeIndex = funcs.map((f) => {
    const bytes = [0x60, ...vec(f.paramTypes.map((t) => [t])), ...vec(f.results.map((t) => [t]))];
    const key = bytes.join(",");
    if (!types.includes(key)) {
      types.push(key);
      typeBytes.push(bytes);
    }
    return types.indexOf(key);
  });
  const exports: number[][] = [];
  if (memory?.exportName !== undefined) exports.push([...name(memory.exportName), 0x02, 0]);
  funcs.forEach((f, i) => f.exportName !== undefined && exports.push([...name(f.exportName), 0x00, ...unsignedLeb(i)]));
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(typeBytes)),
    ...section(3, vec(typeIndex.map((t) => unsignedLeb(t)))),
    ...(memory ? section(5, vec([[0x00, ...unsignedLeb(memory.min)]])) : []),
    ...section(7, vec(exports)),
    ...section(10, vec(funcs.map(assembleBody))),
  ];
  return Uint8Array.from(bytes);
}
