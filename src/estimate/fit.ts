/**
 * Weighted non-negative least squares (Lawson & Hanson, "Solving Least Squares
 * Problems", 1974, ch. 23) for the resource model's coefficients, and the error
 * statistics the model commits with them. Small dense problems only (tens of rows,
 * about ten columns): plain arrays, normal equations solved by Gaussian elimination.
 */

/** Solves min ‖A·x − b‖ over the columns in `passive` (others 0); undefined when singular. */
function solveSubset(A: readonly number[][], b: readonly number[], passive: readonly number[]): number[] | undefined {
  const n = passive.length;
  const M = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (let r = 0; r < A.length; r++) {
    for (let i = 0; i < n; i++) {
      const ai = A[r][passive[i]];
      if (ai === 0) continue;
      for (let j = 0; j < n; j++) M[i][j] += ai * A[r][passive[j]];
      M[i][n] += ai * b[r];
    }
  }
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[pivot][c])) pivot = r;
    if (Math.abs(M[pivot][c]) < 1e-12 * (1 + Math.abs(M[c][c]))) return undefined;
    [M[c], M[pivot]] = [M[pivot], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      if (f !== 0) for (let j = c; j <= n; j++) M[r][j] -= f * M[c][j];
    }
  }
  return M.map((row, i) => row[n] / row[i]);
}

/**
 * min ‖A·x − b‖ subject to x_j ≥ 0 for j in `nonNegative` (every column by default);
 * columns that are all zero get 0.
 */
export function nnls(A: readonly number[][], b: readonly number[], nonNegative?: ReadonlySet<number>): number[] {
  const cols = A.length ? A[0].length : 0;
  const constrained = (j: number) => (nonNegative ? nonNegative.has(j) : true);
  const used = Array.from({ length: cols }, (_, j) => A.some((row) => row[j] !== 0));
  const x = new Array<number>(cols).fill(0);
  // unconstrained columns start passive
  let passive = Array.from({ length: cols }, (_, j) => j).filter((j) => used[j] && !constrained(j));
  if (passive.length) {
    const z = solveSubset(A, b, passive);
    if (z) passive.forEach((j, i) => (x[j] = z[i]));
  }
  for (let iter = 0; iter < 10 * cols + 10; iter++) {
    // gradient of −½‖Ax − b‖²: w = Aᵀ(b − Ax)
    const resid = b.map((bi, r) => bi - A[r].reduce((s, a, j) => s + a * x[j], 0));
    const w = Array.from({ length: cols }, (_, j) => A.reduce((s, row, r) => s + row[j] * resid[r], 0));
    let best = -1;
    for (let j = 0; j < cols; j++) if (used[j] && !passive.includes(j) && w[j] > 1e-9 && (best < 0 || w[j] > w[best])) best = j;
    if (best < 0) break;
    passive = [...passive, best];
    for (;;) {
      const z = solveSubset(A, b, passive);
      if (!z) {
        return x;
      }
      const bad = passive.map((j, i) => ({ j, i })).filter(({ j, i }) => constrained(j) && z[i] <= 0);
      if (bad.length === 0) {
        passive.forEach((j, i) => (x[j] = z[i]));
        break;
      }
      // step toward z until the first constrained coefficient reaches 0
      let alpha = 1;
      for (const { j, i } of bad) alpha = Math.min(alpha, x[j] / (x[j] - z[i]));
      passive.forEach((j, i) => (x[j] += alpha * (z[i] - x[j])));
      passive = passive.filter((j) => !(constrained(j) && x[j] <= 1e-12));
      for (let j = 0; j < cols; j++) if (!passive.includes(j)) x[j] = 0;
    }
  }
  return x;
}

/**
 * Standard errors of the coefficients of a weighted least-squares fit: σ²·(AᵀA)⁻¹ over
 * the non-zero coefficients, σ² = residual sum of squares / (rows − those coefficients).
 * Coefficients pinned at 0 by the constraint report 0.
 */
export function standardErrors(A: readonly number[][], b: readonly number[], x: readonly number[]): number[] {
  const active = x
    .map((v, j) => ({ v, j }))
    .filter(({ v }) => v !== 0)
    .map(({ j }) => j);
  const rows = A.length;
  const dof = rows - active.length;
  const out = new Array<number>(x.length).fill(0);
  if (dof <= 0 || active.length === 0) return out;
  const rss = b.reduce((s, bi, r) => s + (bi - A[r].reduce((t, a, j) => t + a * x[j], 0)) ** 2, 0);
  const sigma2 = rss / dof;
  // invert AᵀA over the active columns (Gauss–Jordan on [G | I])
  const n = active.length;
  const G = Array.from({ length: n }, (_, i) => [
    ...Array.from({ length: n }, (_, k) => A.reduce((s, row) => s + row[active[i]] * row[active[k]], 0)),
    ...Array.from({ length: n }, (_, k) => (i === k ? 1 : 0)),
  ]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(G[r][c]) > Math.abs(G[pivot][c])) pivot = r;
    if (Math.abs(G[pivot][c]) < 1e-300) return out;
    [G[c], G[pivot]] = [G[pivot], G[c]];
    const d = G[c][c];
    for (let j = 0; j < 2 * n; j++) G[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = G[r][c];
      if (f !== 0) for (let j = 0; j < 2 * n; j++) G[r][j] -= f * G[c][j];
    }
  }
  active.forEach((j, i) => (out[j] = Math.sqrt(Math.max(0, sigma2 * G[i][n + i]))));
  return out;
}

export interface ErrorStats {
  /** Designs the statistics cover. */
  readonly designs: number;
  /** Root mean square of (estimate − measured) / measured over designs with measured > 0. */
  readonly relRms: number;
  /** Largest |estimate − measured| / measured over designs with measured > 0. */
  readonly relWorst: number;
  /** Largest estimate where the measured count is 0 (no relative error exists there). */
  readonly absAtZero: number;
}

export function errorStats(pairs: readonly { estimate: number; measured: number }[]): ErrorStats {
  const rel = pairs.filter((p) => p.measured > 0).map((p) => (p.estimate - p.measured) / p.measured);
  return {
    designs: pairs.length,
    relRms: rel.length ? Math.sqrt(rel.reduce((s, r) => s + r * r, 0) / rel.length) : 0,
    relWorst: rel.reduce((m, r) => Math.max(m, Math.abs(r)), 0),
    absAtZero: pairs.filter((p) => p.measured === 0).reduce((m, p) => Math.max(m, Math.abs(p.estimate)), 0),
  };
}
