import { describe, expect, it } from 'vitest';
import { GaussianProcess, cholesky, expectedImprovement, fitGaussianProcess, matern15, solveLower, solveUpperT } from './gp.js';
import { normalCdf, normalPdf } from './normal.js';

// Hand values (ℓ = 1): k(1) = (1 + √3)·e^(−√3), k(0.5) = (1 + √3/2)·e^(−√3/2).
const k1 = (1 + Math.sqrt(3)) * Math.exp(-Math.sqrt(3)); // 0.4833577
const kHalf = (1 + Math.sqrt(3) / 2) * Math.exp(-Math.sqrt(3) / 2); // 0.7848877

describe('Gaussian process', () => {
  it('evaluates the Matérn 1.5 kernel', () => {
    expect(matern15(0, 1)).toBe(1);
    expect(matern15(1, 1)).toBeCloseTo(0.4833577246, 10);
    expect(matern15(2, 4)).toBeCloseTo(kHalf, 12); // only r/ℓ matters
  });

  it('factorises and solves a 2×2 system by hand', () => {
    // [[4, 2], [2, 3]] = L·Lᵀ with L = [[2, 0], [1, √2]].
    const l = cholesky([[4, 2], [2, 3]]);
    expect(l[0]).toEqual([2, 0]);
    expect(l[1][0]).toBe(1);
    expect(l[1][1]).toBeCloseTo(Math.SQRT2, 14);
    // A·x = [8, 7] → x = [1.25, 1.5].
    const x = solveUpperT(l, solveLower(l, [8, 7]));
    expect(x[0]).toBeCloseTo(1.25, 12);
    expect(x[1]).toBeCloseTo(1.5, 12);
    expect(() => cholesky([[1, 2], [2, 1]])).toThrow(/not positive definite/);
  });

  it('gives the posterior of one observation: μ = k, σ² = 1 − k²', () => {
    const gp = new GaussianProcess([[0]], [1], 1);
    const { mean, std } = gp.predict([[0.5], [0]]);
    expect(mean[0]).toBeCloseTo(kHalf, 6);
    expect(std[0] ** 2).toBeCloseTo(1 - kHalf ** 2, 6); // 0.3839514
    expect(mean[1]).toBeCloseTo(1, 6); // interpolates the observation
    expect(std[1]).toBeLessThan(1e-3);
  });

  it('gives the posterior of two observations at their midpoint: μ = k/(1 + a), σ² = 1 − 2k²/(1 + a)', () => {
    const gp = new GaussianProcess([[0], [1]], [1, 0], 1);
    const { mean, std } = gp.predict([[0.5]]);
    expect(mean[0]).toBeCloseTo(kHalf / (1 + k1), 6); // 0.5291290
    expect(std[0] ** 2).toBeCloseTo(1 - (2 * kHalf ** 2) / (1 + k1), 6); // 0.1693957
    // log p(y) = −½ yᵀK⁻¹y − ½ log|K| − log 2π, with yᵀK⁻¹y = 1/(1 − a²), |K| = 1 − a².
    expect(gp.logMarginalLikelihood).toBeCloseTo(-0.5 / (1 - k1 ** 2) - 0.5 * Math.log(1 - k1 ** 2) - Math.log(2 * Math.PI), 5);
  });

  it('fits the length scale that maximises the marginal likelihood', () => {
    const x = [[0], [0.2], [0.4], [0.6], [0.8], [1]];
    const y = x.map(([v]) => Math.sin(6 * v));
    const gp = fitGaussianProcess(x, y);
    for (const l of [gp.lengthScale * 0.8, gp.lengthScale * 1.25]) {
      expect(new GaussianProcess(x, y, l).logMarginalLikelihood).toBeLessThan(gp.logMarginalLikelihood);
    }
  });

  it('computes expected improvement as upstream: EI(μ=0, σ=1, y*=0) = φ(0); EI(μ=−1, σ=1, y*=0) = Φ(1) + φ(1)', () => {
    expect(expectedImprovement(0, 1, 0, normalCdf, normalPdf).ei).toBeCloseTo(0.3989423, 6);
    expect(expectedImprovement(-1, 1, 0, normalCdf, normalPdf).ei).toBeCloseTo(0.8413447 + 0.2419707, 5);
    // A point far worse than the best with no uncertainty improves nothing.
    expect(expectedImprovement(2, 0, 0, normalCdf, normalPdf).ei).toBeCloseTo(0, 12);
  });
});
