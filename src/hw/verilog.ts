/**
 * Small Verilog text helpers used by the unit parameter functions. Templates stay
 * dumb: every literal, width and extension expression is produced here.
 */

/** A sized hex literal of `bits` bits holding `value` in two's complement (e.g. 8'hf6). */
export function literal(value: bigint | number, bits: number): string {
  return `${bits}'h${hexWord(value, bits)}`;
}

/** Two's-complement hex of `value` in `bits` bits, zero-padded to ceil(bits/4) digits. */
export function hexWord(value: bigint | number, bits: number): string {
  const v = BigInt(value);
  const mask = (1n << BigInt(bits)) - 1n;
  return (v & mask).toString(16).padStart(Math.ceil(bits / 4), "0");
}

/** Zero-extends an expression from `from` to `to` bits (no replication, so no zero-width concat). */
export function zext(expr: string, from: number, to: number): string {
  if (to < from) throw new Error(`zext: ${to} < ${from}`);
  return to === from ? expr : `{ ${to - from}'d0, ${expr} }`;
}

/** Sign-extends a simple identifier from `from` to `to` bits. */
export function sext(ident: string, from: number, to: number): string {
  if (to < from) throw new Error(`sext: ${to} < ${from}`);
  return to === from ? ident : `{ { ${to - from} { ${ident}[${from - 1}] } }, ${ident} }`;
}

/**
 * A model or layer name as a safe Verilog identifier fragment: letters, digits and
 * underscores only, not starting with a digit, at most 40 characters. A name like
 * `a; initial $finish` becomes `a_initial_finish`.
 */
export function sanitizeIdentifier(name: string): string {
  let id = name
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (id === "") id = "design";
  if (/^[0-9]/.test(id)) id = `m_${id}`;
  return id.slice(0, 40);
}

/** Text safe inside a `//` comment: printable ASCII, no line breaks. */
export function commentText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}
