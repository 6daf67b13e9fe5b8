/**
 * The Gaussian process behind `bayes` (wandb/sweeps `bayes_search.py`, which uses scikit-learn's
 * `GaussianProcessRegressor`; reference/wandb.md §6.2): an isotropic Matérn kernel with ν = 1.5 and one length
 * scale ℓ, no amplitude, observation noise α = 1e-7 on the diagonal, targets normalised by the caller.
 *
 * k(r) = (1 + √3·r/ℓ)·exp(−√3·r/ℓ), r the Euclidean distance.
 *
 * ℓ maximises the log marginal likelihood over log ℓ ∈ [ln 1e-5, ln 1e5]. Upstream runs L-BFGS-B from three
 * starts; with one parameter, a scan of 81 log-spaced values then a golden-section refinement of the best
 * bracket finds the same optimum deterministically. The algebra is a Cholesky factorisation, written here
 * (n ≤ 100 points: no library needed).
 *
 * @example
 * const gp = fitGaussianProcess([[0], [1]], [1, 0]);
 * gp.predict([[0.5]]); // { mean: [...], std: [...] }
 */

/** ln of the length-scale bounds, as sklearn's Matern default `length_scale_bounds=(1e-5, 1e5)`. */
export const LOG_LENGTH_BOUNDS: readonly [number, number] = [Math.log(1e-5), Math.log(1e5)];
/** Observation noise on the kernel diagonal (upstream's `alpha`). */
export const GP_ALPHA = 1e-7;

/** Matérn ν = 1.5 at distance `r` with length scale `lengthScale`. */
export function matern15(r: number, lengthScale: number): number {
  const s = (Math.sqrt(3) * r) / lengthScale;
  return (1 + s) * Math.exp(-s);
}

/** The lower-triangular L with L·Lᵀ = A; throws when A is not positive definite. */
export function cholesky(a: readonly (readonly number[])[]): number[][] {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(sum > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${i} is ${sum})`);
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

/** x with L·x = b (L lower-triangular). */
export function solveLower(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const x = new Array<number>(b.length);
  for (let i = 0; i < b.length; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i][k] * x[k];
    x[i] = sum / l[i][i];
  }
  return x;
}

/** x with Lᵀ·x = b (L lower-triangular). */
export function solveUpperT(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i];
    for (let k = i + 1; k < n; k++) sum -= l[k][i] * x[k];
    x[i] = sum / l[i][i];
  }
  return x;
}

/** A GP conditioned on (X, y) with a fixed length scale. */
export class GaussianProcess {
  private readonly l: number[][];
  /** K⁻¹·y. */
  private readonly weights: number[];
  /** log p(y | X, ℓ). */
  readonly logMarginalLikelihood: number;

  constructor(
    readonly x: readonly (readonly number[])[],
    readonly y: readonly number[],
    readonly lengthScale: number,
    readonly alpha = GP_ALPHA,
  ) {
    const k = x.map((xi, i) => x.map((xj, j) => matern15(distance(xi, xj), lengthScale) + (i === j ? alpha : 0)));
    this.l = cholesky(k);
    this.weights = solveUpperT(this.l, solveLower(this.l, y));
    const dataFit = y.reduce((s, yi, i) => s + yi * this.weights[i], 0);
    const logDet = this.l.reduce((s, row, i) => s + Math.log(row[i]), 0);
    this.logMarginalLikelihood = -0.5 * dataFit - logDet - (y.length / 2) * Math.log(2 * Math.PI);
  }

  /** Posterior mean and standard deviation at each point of `points`. */
  predict(points: readonly (readonly number[])[]): { mean: number[]; std: number[] } {
    const mean: number[] = [];
    const std: number[] = [];
    for (const p of points) {
      const kStar = this.x.map((xi) => matern15(distance(p, xi), this.lengthScale));
      mean.push(kStar.reduce((s, k, i) => s + k * this.weights[i], 0));
      const v = solveLower(this.l, kStar);
      // k(p, p) = 1; sklearn clips negative variances to 0 as well.
      const variance = 1 - v.reduce((s, vi) => s + vi * vi, 0);
      std.push(Math.sqrt(Math.max(0, variance)));
    }
    return { mean, std };
  }
}

/** The GP on (X, y) whose length scale maximises the log marginal likelihood (see the file comment). */
export function fitGaussianProcess(x: readonly (readonly number[])[], y: readonly number[]): GaussianProcess {
  const [lo, hi] = LOG_LENGTH_BOUNDS;
  const lml = (logL: number): number => {
    try {
      return new GaussianProcess(x, y, Math.exp(logL)).logMarginalLikelihood;
    } catch {
      return Number.NEGATIVE_INFINITY; // K numerically singular at this ℓ
    }
  };
  const steps = 80;
  const grid = Array.from({ length: steps + 1 }, (_, i) => lo + ((hi - lo) * i) / steps);
  const scores = grid.map(lml);
  let best = 0;
  for (let i = 1; i < grid.length; i++) if (scores[i] > scores[best]) best = i;
  // Golden-section search on the bracket around the best grid point.
  let a = grid[Math.max(0, best - 1)];
  let b = grid[Math.min(steps, best + 1)];
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = lml(c);
  let fd = lml(d);
  for (let i = 0; i < 40 && b - a > 1e-6; i++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = lml(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = lml(d);
    }
  }
  const candidates: Array<[number, number]> = [[grid[best], scores[best]], [c, fc], [d, fd]];
  const [logL] = candidates.reduce((m, e) => (e[1] > m[1] ? e : m));
  return new GaussianProcess(x, y, Math.exp(logL));
}

/**
 * Expected improvement for minimisation with ξ = 0, exactly as upstream writes it:
 * Z = −(μ − y*)/(σ + 1e-6), EI = −(μ − y*)·Φ(Z) + σ·φ(Z).
 */
export function expectedImprovement(mean: number, std: number, yBest: number, cdf: (z: number) => number, pdf: (z: number) => number): { ei: number; z: number } {
  const z = -(mean - yBest) / (std + 1e-6);
  return { ei: -(mean - yBest) * cdf(z) + std * pdf(z), z };
}

function distance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}
