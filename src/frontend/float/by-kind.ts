/**
 * Dispatch on the `kind` of a float layer without a `switch`: a table with one
 * function per kind of the union, so a kind added to the union without its
 * entry is a compile error (the float models' counterpart of the IR's layer
 * registry, src/hw/layers/index.ts).
 */

/** One function per kind of the layer union `L`, each typed for its own kind. */
export type ByKind<L extends { readonly kind: string }, A extends readonly unknown[], R> = {
  readonly [K in L["kind"]]: (layer: Extract<L, { readonly kind: K }>, ...args: A) => R;
};

/** Calls the table's function for the layer's kind. */
export function byKind<L extends { readonly kind: string }, A extends readonly unknown[], R>(table: ByKind<L, A, R>, layer: L, ...args: A): R {
  const run = table[layer.kind as L["kind"]] as unknown as (layer: L, ...args: A) => R;
  return run(layer, ...args);
}

/** Whether `kind` has an entry in the table (own keys only: "toString" is no kind). */
export function isKindIn(table: object, kind: unknown): boolean {
  return typeof kind === "string" && Object.hasOwn(table, kind);
}
