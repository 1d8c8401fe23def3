/**
 * A data array as the readers hand it over: flat values in C (row-major)
 * order, its shape, and its element type in NumPy's words, whatever file it
 * came from (.npy, .npz, IDX, the bundled MNIST).
 */
export type ElementType = "int8" | "uint8" | "int16" | "uint16" | "int32" | "uint32" | "int64" | "uint64" | "float16" | "float32" | "float64";

export interface DataArray {
  /** The file the array was read from (for error messages) and its name inside it (npz member, "images", "labels"). */
  readonly file: string;
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: ElementType;
  /** Values in C order; 64-bit integers already converted (checked to be exact). */
  readonly data: ArrayLike<number>;
}

export function isFloatType(t: ElementType): boolean {
  return t === "float16" || t === "float32" || t === "float64";
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** The first `count` entries along the leading axis (a view, not a copy, where the array type allows). */
export function firstRows(a: DataArray, count: number): DataArray {
  if (a.shape.length === 0 || count >= a.shape[0]) return a;
  const row = elementCount(a.shape.slice(1));
  const data = ArrayBuffer.isView(a.data) ? (a.data as unknown as Float64Array).subarray(0, count * row) : Array.prototype.slice.call(a.data, 0, count * row);
  return { ...a, shape: [count, ...a.shape.slice(1)], data };
}
