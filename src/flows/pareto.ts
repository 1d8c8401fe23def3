/** Pareto fronts: which points no other point beats on every objective at once. Pure; the sweep marks its points with it. */

export interface Objective<T> {
  /**
   * undefined: the item has no value here (accuracy of a rebuilt datapath). Two items without one are compared on
   * the other objectives; an item with one and an item without are not compared at all (neither dominates).
   */
  readonly value: (item: T) => number | undefined;
  /** Whether a higher value is better (frames/s) or a lower one (LUT, power). */
  readonly better: "higher" | "lower";
}

/** Whether `a` dominates `b`: at least as good on every objective and strictly better on one (see Objective.value for missing values). */
export function dominates<T>(a: T, b: T, objectives: readonly Objective<T>[]): boolean {
  let strictly = false;
  for (const o of objectives) {
    const sign = o.better === "higher" ? 1 : -1;
    const va = o.value(a);
    const vb = o.value(b);
    // unknown on both: the objective says nothing; known on one side only: neither can be shown at least as good
    if (va === undefined && vb === undefined) continue;
    if (va === undefined || vb === undefined) return false;
    const d = sign * (va - vb);
    if (d < 0) return false;
    if (d > 0) strictly = true;
  }
  return strictly;
}

/**
 * For each item, whether it is on the Pareto front of the eligible items (no eligible item dominates it);
 * items not eligible (a design that does not fit) are never on it and dominate nothing. Equal points are all on it.
 */
export function paretoFront<T>(items: readonly T[], objectives: readonly Objective<T>[], eligible: (item: T) => boolean = () => true): boolean[] {
  const ok = items.map(eligible);
  return items.map((item, i) => ok[i] && !items.some((other, j) => j !== i && ok[j] && dominates(other, item, objectives)));
}
