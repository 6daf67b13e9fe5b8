import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ConvPass, NormPass, loadOneDnn, packGeometry, type ConvGeometry } from './index.js';

const loaded = loadOneDnn();
/** CI sets DETLAB_ONEDNN=require: there the addon must have been built, and every test below runs. */
const required = process.env.DETLAB_ONEDNN === 'require';

it('loads, or says why not', () => {
  if (required) expect(loaded).toMatchObject({ ok: true });
  if (loaded.ok) expect(loaded.api.version).toMatch(/^\d+\.\d+\.\d+$/);
  else expect(loaded.reason).toMatch(/oneDNN/);
});

/** Copies tensors into one heap at the given float offsets, as the wasm backend lays them out. */
function heapWith(size: number, parts: [number, ArrayLike<number>][]): Float32Array {
  const heap = new Float32Array(size).fill(Number.NaN);
  for (const [at, values] of parts) heap.set(values, at);
  return heap;
}

function geometry(g: Partial<ConvGeometry> & Pick<ConvGeometry, 'batch' | 'inH' | 'inW' | 'inC' | 'outC' | 'kH' | 'kW'>): ConvGeometry {
  const full = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, ...g };
  const out = (n: number, k: number, s: number, d: number, before: number, after: number) => Math.floor((n + before + after - (k - 1) * d - 1) / s) + 1;
  return {
    outH: out(full.inH, full.kH, full.strideH, full.dilationH, full.padTop, full.padBottom),
    outW: out(full.inW, full.kW, full.strideW, full.dilationW, full.padLeft, full.padRight),
    ...full,
  };
}

const size = (g: ConvGeometry) => ({
  x: g.batch * g.inH * g.inW * g.inC,
  w: g.kH * g.kW * g.inC * g.outC,
  y: g.batch * g.outH * g.outW * g.outC,
});

/** y = conv(x, w) in float64, by the definition y[b,o,p,co] = Σ x[b, o·s + i·d − pad, p·s + j·d − pad, ci] · w[i,j,ci,co]. */
function forwardReference(g: ConvGeometry, x: Float32Array, w: Float32Array): Float64Array {
  const y = new Float64Array(size(g).y);
  eachTerm(g, (yi, xi, wi) => { y[yi]! += x[xi]! * w[wi]!; });
  return y;
}

/** Calls `term(yIndex, xIndex, wIndex)` for every product in the forward sum (padding terms are skipped). */
function eachTerm(g: ConvGeometry, term: (yi: number, xi: number, wi: number) => void): void {
  for (let b = 0; b < g.batch; b++)
    for (let oh = 0; oh < g.outH; oh++)
      for (let ow = 0; ow < g.outW; ow++)
        for (let i = 0; i < g.kH; i++)
          for (let j = 0; j < g.kW; j++) {
            const h = oh * g.strideH + i * g.dilationH - g.padTop;
            const w = ow * g.strideW + j * g.dilationW - g.padLeft;
            if (h < 0 || w < 0 || h >= g.inH || w >= g.inW) continue;
            for (let ci = 0; ci < g.inC; ci++)
              for (let co = 0; co < g.outC; co++) {
                term(((b * g.outH + oh) * g.outW + ow) * g.outC + co, ((b * g.inH + h) * g.inW + w) * g.inC + ci, ((i * g.kW + j) * g.inC + ci) * g.outC + co);
              }
          }
}

/** Values in [-1, 1) from a fixed linear congruential sequence (no dependence on Math.random). */
function sequence(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(tolerance);
}

describe.skipIf(!loaded.ok)('conv on a shared heap', () => {
  const api = loaded.ok ? loaded.api : (undefined as never);
  const F = 4; // bytes per float

  // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]], valid, stride 1; by hand:
  // y = [[1+4+12+20, 2+6+15+24], [4+10+21+32, 5+12+24+36]]; with dy = 1: dx[p,q] = Σ of the w entries whose
  // window covers (p,q); dW[a,b] = Σ of the 2×2 block of x starting at (a,b).
  const g = geometry({ batch: 1, inH: 3, inW: 3, inC: 1, outC: 1, kH: 2, kW: 2 });
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const w = [1, 2, 3, 4];

  it('forward, by hand', () => {
    const heap = heapWith(32, [[3, x], [13, w]]);
    api.conv(ConvPass.Forward, heap, 3 * F, 13 * F, 20 * F, packGeometry(g));
    expect(Array.from(heap.subarray(20, 24))).toEqual([37, 47, 67, 77]);
    expect(heap[24]).toBeNaN(); // nothing written past y
  });

  it('input gradient, by hand', () => {
    const heap = heapWith(32, [[0, [1, 1, 1, 1]], [4, w]]);
    api.conv(ConvPass.InputGrad, heap, 0, 4 * F, 8 * F, packGeometry(g));
    expect(Array.from(heap.subarray(8, 17))).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });

  it('filter gradient, by hand', () => {
    const heap = heapWith(32, [[0, x], [9, [1, 1, 1, 1]]]);
    api.conv(ConvPass.FilterGrad, heap, 0, 9 * F, 13 * F, packGeometry(g));
    expect(Array.from(heap.subarray(13, 17))).toEqual([12, 16, 24, 28]);
  });

  const cases: [string, ConvGeometry][] = [
    ['3×3, stride 2, uneven padding', geometry({ batch: 2, inH: 7, inW: 6, inC: 3, outC: 5, kH: 3, kW: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1 })],
    ['1×1, stride 2 (a ResNet shortcut)', geometry({ batch: 2, inH: 8, inW: 8, inC: 16, outC: 32, kH: 1, kW: 1, strideH: 2, strideW: 2 })],
    ['3×3, 64 channels, same padding', geometry({ batch: 1, inH: 9, inW: 9, inC: 64, outC: 64, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1 })],
    ['3×3, dilation 2', geometry({ batch: 1, inH: 9, inW: 8, inC: 4, outC: 3, kH: 3, kW: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2 })],
  ];

  describe.each(cases)('%s, against float64 sums', (_name, g) => {
    const n = size(g);
    const xs = sequence(n.x, 1);
    const ws = sequence(n.w, 2);
    const dys = sequence(n.y, 3);

    it('forward', () => {
      const heap = heapWith(n.x + n.w + n.y, [[0, xs], [n.x, ws]]);
      api.conv(ConvPass.Forward, heap, 0, n.x * F, (n.x + n.w) * F, packGeometry(g));
      expectClose(heap.subarray(n.x + n.w), forwardReference(g, xs, ws), 1e-4);
    });

    it('input gradient: dx[xi] = Σ dy[yi] · w[wi] over the forward terms', () => {
      const dx = new Float64Array(n.x);
      eachTerm(g, (yi, xi, wi) => { dx[xi]! += dys[yi]! * ws[wi]!; });
      const heap = heapWith(n.y + n.w + n.x, [[0, dys], [n.y, ws]]);
      api.conv(ConvPass.InputGrad, heap, 0, n.y * F, (n.y + n.w) * F, packGeometry(g));
      expectClose(heap.subarray(n.y + n.w), dx, 1e-4);
    });

    it('filter gradient: dW[wi] = Σ dy[yi] · x[xi] over the forward terms', () => {
      const dw = new Float64Array(n.w);
      eachTerm(g, (yi, xi, wi) => { dw[wi]! += dys[yi]! * xs[xi]!; });
      const heap = heapWith(n.x + n.y + n.w, [[0, xs], [n.x, dys]]);
      api.conv(ConvPass.FilterGrad, heap, 0, n.x * F, (n.x + n.y) * F, packGeometry(g));
      expectClose(heap.subarray(n.x + n.y), dw, 1e-4);
    });
  });

  it('rejects offsets whose tensor would run past the heap, writing nothing', () => {
    const heap = heapWith(16, [[0, x], [9, w]]);
    expect(() => api.conv(ConvPass.Forward, heap, 0, 9 * F, 13 * F, packGeometry(g))).toThrow(/argument 5 .*room/);
    expect(heap[13]).toBeNaN();
    expect(() => api.conv(ConvPass.Forward, heap, -4, 0, 0, packGeometry(g))).toThrow(/byte offset/);
  });

  it('rejects a geometry whose output size does not follow from the others', () => {
    const heap = heapWith(64, [[0, x], [9, w]]);
    expect(() => api.conv(ConvPass.Forward, heap, 0, 9 * F, 13 * F, packGeometry({ ...g, outH: 3 }))).toThrow(/oneDNN/);
    expect(() => api.conv(3 as ConvPass, heap, 0, 0, 0, packGeometry(g))).toThrow(/pass must be/);
    expect(() => api.conv(ConvPass.Forward, heap, 0, 0, 0, new Float64Array(3))).toThrow(/Float64Array of 17/);
  });

  it('keeps a thread count per JavaScript thread', () => {
    const before = api.threads();
    api.setThreads(1);
    expect(api.threads()).toBe(1);
    api.setThreads(before);
    expect(() => api.setThreads(0)).toThrow(/≥ 1/);
  });

  it('works from a worker thread (data-parallel replicas call in from several)', async () => {
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.path);
      const heap = new Float32Array(32);
      heap.set([1, 2, 3, 4, 5, 6, 7, 8, 9], 0); heap.set([1, 2, 3, 4], 9);
      addon.conv(0, heap, 0, 36, 52, Float64Array.from(workerData.geometry));
      parentPort.postMessage(Array.from(heap.subarray(13, 17)));`;
    const { ADDON_PATH } = await import('./index.js');
    const worker = new Worker(source, { eval: true, workerData: { path: ADDON_PATH, geometry: Array.from(packGeometry(g)) } });
    const result = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    expect(result).toEqual([37, 47, 67, 77]);
  });
});

/** Train-mode batch norm in float64 by its definition: statistics per channel over the n·h·w values (biased variance). */
function normReference(x: Float32Array, dy: Float32Array, gamma: number[], beta: number[], c: number, eps: number) {
  const count = x.length / c;
  const mean = new Float64Array(c), variance = new Float64Array(c);
  for (let i = 0; i < x.length; i++) mean[i % c]! += x[i]! / count;
  for (let i = 0; i < x.length; i++) variance[i % c]! += (x[i]! - mean[i % c]!) ** 2 / count;
  const r = Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
  const xhat = Float64Array.from(x, (v, i) => (v - mean[i % c]!) * r[i % c]!);
  const y = Float64Array.from(xhat, (v, i) => gamma[i % c]! * v + beta[i % c]!);
  // dx = γ·r·(dy − mean(dy) − x̂·mean(dy·x̂)); dγ = Σ dy·x̂; dβ = Σ dy.
  const dBeta = new Float64Array(c), dGamma = new Float64Array(c);
  for (let i = 0; i < x.length; i++) {
    dBeta[i % c]! += dy[i]!;
    dGamma[i % c]! += dy[i]! * xhat[i]!;
  }
  const dx = Float64Array.from(x, (_, i) => {
    const k = i % c;
    return gamma[k]! * r[k]! * (dy[i]! - dBeta[k]! / count - xhat[i]! * (dGamma[k]! / count));
  });
  return { y, mean, variance, dx, dGamma, dBeta };
}

describe.skipIf(!loaded.ok)('batchNorm on a shared heap', () => {
  const api = loaded.ok ? loaded.api : (undefined as never);

  it('forward, by hand: channel 0 holds 1, 2, 3, 4 (mean 2.5, variance 1.25), channel 1 holds 0, 0, 4, 4 (mean 2, variance 4)', () => {
    const x = [1, 0, 2, 0, 3, 4, 4, 4]; // NHWC [2, 1, 2, 2]
    const heap = new Float32Array(32).fill(Number.NaN);
    heap.set(x, 0);
    heap.set([2, 1], 8); // γ
    heap.set([0.5, -1], 10); // β
    const offsets = Float64Array.from([0, 8, 10, 12, 20, 22], (f) => f * 4);
    api.batchNorm(NormPass.Forward, new Uint8Array(heap.buffer), offsets, Float64Array.from([2, 1, 2, 2]), 1e-5);
    expect(Array.from(heap.subarray(20, 24))).toEqual([2.5, 2, 1.25, 4]);
    const r0 = 1 / Math.sqrt(1.25 + 1e-5), r1 = 1 / Math.sqrt(4 + 1e-5);
    const expected = [2 * -1.5 * r0 + 0.5, -2 * r1 - 1, 2 * -0.5 * r0 + 0.5, -2 * r1 - 1, 2 * 0.5 * r0 + 0.5, 2 * r1 - 1, 2 * 1.5 * r0 + 0.5, 2 * r1 - 1];
    expectClose(heap.subarray(12, 20), expected, 1e-5);
    expect(heap[24]).toBeNaN();
  });

  it('forward and backward of [2, 5, 3, 16] against float64 sums', () => {
    const [n, h, w, c] = [2, 5, 3, 16];
    const size = n * h * w * c;
    const x = Float32Array.from(sequence(size, 7), (v, i) => 3 * v + (i % c)); // offsets per channel, so the mean matters
    const dy = sequence(size, 8);
    const gamma = Array.from({ length: c }, (_, k) => 0.5 + k / c);
    const beta = Array.from({ length: c }, (_, k) => k / 4 - 1);
    const ref = normReference(x, dy, gamma, beta, c, 1e-3);

    const at = { x: 0, gamma: size, beta: size + c, y: size + 2 * c, mean: 2 * size + 2 * c, variance: 2 * size + 3 * c };
    const heap = new Float32Array(2 * size + 4 * c);
    heap.set(x, at.x); heap.set(gamma, at.gamma); heap.set(beta, at.beta);
    const shape = Float64Array.from([n, h, w, c]);
    const bytes = (floats: number[]) => Float64Array.from(floats, (f) => f * 4);
    api.batchNorm(NormPass.Forward, new Uint8Array(heap.buffer), bytes([at.x, at.gamma, at.beta, at.y, at.mean, at.variance]), shape, 1e-3);
    expectClose(heap.subarray(at.y, at.y + size), ref.y, 1e-4);
    expectClose(heap.subarray(at.mean, at.mean + c), ref.mean, 1e-4);
    expectClose(heap.subarray(at.variance, at.variance + c), ref.variance, 1e-4);

    const back = { x: 0, mean: size, variance: size + c, dy: size + 2 * c, gamma: 2 * size + 2 * c, dx: 2 * size + 3 * c, dGamma: 3 * size + 3 * c, dBeta: 3 * size + 4 * c };
    const heap2 = new Float32Array(3 * size + 5 * c);
    heap2.set(x, back.x); heap2.set(ref.mean, back.mean); heap2.set(ref.variance, back.variance); heap2.set(dy, back.dy); heap2.set(gamma, back.gamma);
    const offsets = bytes([back.x, back.mean, back.variance, back.dy, back.gamma, back.dx, back.dGamma, back.dBeta]);
    api.batchNorm(NormPass.Backward, new Uint8Array(heap2.buffer), offsets, shape, 1e-3);
    expectClose(heap2.subarray(back.dx, back.dx + size), ref.dx, 1e-4);
    expectClose(heap2.subarray(back.dGamma, back.dGamma + c), ref.dGamma, 1e-3);
    expectClose(heap2.subarray(back.dBeta, back.dBeta + c), ref.dBeta, 1e-4);
  });

  it('rejects offsets past the heap and malformed arguments', () => {
    const heap = new Uint8Array(64);
    const shape = Float64Array.from([1, 1, 2, 2]);
    expect(() => api.batchNorm(NormPass.Forward, heap, Float64Array.from([0, 16, 24, 32, 48, 60]), shape, 1e-5)).toThrow(/offset 5 .*room/);
    expect(() => api.batchNorm(NormPass.Forward, heap, new Float64Array(5), shape, 1e-5)).toThrow(/Float64Array of 6/);
    expect(() => api.batchNorm(NormPass.Forward, heap, new Float64Array(6), Float64Array.from([1, 0, 2, 2]), 1e-5)).toThrow(/positive sizes/);
    expect(() => api.batchNorm(NormPass.Forward, heap, new Float64Array(6), shape, 0)).toThrow(/epsilon/);
    expect(() => api.batchNorm(2 as NormPass, heap, new Float64Array(6), shape, 1e-5)).toThrow(/pass must be/);
  });
});

describe.skipIf(!loaded.ok)('sgdStep on a shared heap', () => {
  const api = loaded.ok ? loaded.api : (undefined as never);
  // p = [1, 2], g = [0.5, −1], buf = [0.1, 0.2], lr 0.1, momentum 0.9, weight decay 0.01: d = g + 0.01·p = [0.51, −0.98].
  const run = (hyper: [momentum: number, dampening: number, nesterov: number, first: number]) => {
    const heap = new Float32Array(16).fill(Number.NaN);
    heap.set([1, 2], 0); heap.set([0.5, -1], 2); heap.set([0.1, 0.2], 4);
    const [momentum, dampening, nesterov, first] = hyper;
    api.sgdStep(new Uint8Array(heap.buffer), Float64Array.from([0, 8, 16, 24, 32]), 2, Float64Array.from([0.1, momentum, dampening, 0.01, nesterov, first]));
    return { param: Array.from(heap.subarray(6, 8)), buffer: Array.from(heap.subarray(8, 10)), after: heap[10] };
  };

  it('momentum: buf = 0.9·buf + d = [0.6, −0.8], p = p − 0.1·buf = [0.94, 2.08]', () => {
    const { param, buffer, after } = run([0.9, 0, 0, 0]);
    expectClose(buffer, [0.6, -0.8], 1e-6);
    expectClose(param, [0.94, 2.08], 1e-6);
    expect(after).toBeNaN();
  });

  it('first step: the buffer starts at d, as torch', () => {
    const { param, buffer } = run([0.9, 0, 0, 1]);
    expectClose(buffer, [0.51, -0.98], 1e-6);
    expectClose(param, [0.949, 2.098], 1e-6);
  });

  it('nesterov: d + 0.9·buf = [1.05, −1.7]; dampening 0.5: buf = 0.9·buf + 0.5·d', () => {
    expectClose(run([0.9, 0, 1, 0]).param, [1 - 0.105, 2 + 0.17], 1e-6);
    expectClose(run([0.9, 0.5, 0, 0]).buffer, [0.09 + 0.255, 0.18 - 0.49], 1e-6);
  });

  it('without momentum: p − lr·d, and no buffer written', () => {
    const { param, buffer } = run([0, 0, 0, 0]);
    expectClose(param, [0.949, 2.098], 1e-6);
    expect(buffer.every(Number.isNaN)).toBe(true);
  });

  it('splits a large tensor over the threads with the same results (1,000,003 values, against float64)', () => {
    const n = 1_000_003;
    const p = sequence(n, 11), g = sequence(n, 12), b = sequence(n, 13);
    const heap = new Float32Array(5 * n);
    heap.set(p, 0); heap.set(g, n); heap.set(b, 2 * n);
    const before = api.threads();
    api.setThreads(2);
    api.sgdStep(new Uint8Array(heap.buffer), Float64Array.from([0, n, 2 * n, 3 * n, 4 * n], (f) => f * 4), n, Float64Array.from([0.02, 0.9, 0, 1e-4, 0, 0]));
    api.setThreads(before);
    const buffer = Float64Array.from(p, (v, i) => 0.9 * b[i]! + g[i]! + 1e-4 * v);
    expectClose(heap.subarray(4 * n), buffer, 1e-5);
    expectClose(heap.subarray(3 * n, 4 * n), Float64Array.from(p, (v, i) => v - 0.02 * buffer[i]!), 1e-5);
  });

  it('rejects offsets past the heap and malformed arguments', () => {
    const heap = new Uint8Array(32);
    expect(() => api.sgdStep(heap, Float64Array.from([0, 8, 16, 24, 32]), 2, Float64Array.from([0.1, 0.9, 0, 0, 0, 0]))).toThrow(/offset 4 .*room/);
    expect(() => api.sgdStep(heap, Float64Array.from([0, 8, -1, 24, -1]), 2, Float64Array.from([0.1, 0, 0, 0, 0, 0]))).not.toThrow();
    expect(() => api.sgdStep(heap, new Float64Array(4), 2, new Float64Array(6))).toThrow(/5 byte offsets/);
    expect(() => api.sgdStep(heap, new Float64Array(5), 2, new Float64Array(5))).toThrow(/hyper must be/);
    expect(() => api.sgdStep(heap, new Float64Array(5), -1, new Float64Array(6))).toThrow(/count must be/);
  });
});

describe.skipIf(!loaded.ok)('axpby across memories', () => {
  const api = loaded.ok ? loaded.api : (undefined as never);

  it('out = 0.25·x + 0.75·y, by hand, with y in a SharedArrayBuffer and out a view into the middle of another array', () => {
    const x = Float32Array.from([4, -8, 2]);
    const y = new Float32Array(new SharedArrayBuffer(12));
    y.set([1, 1, -2]);
    const backing = new Float32Array(5).fill(Number.NaN);
    api.axpby(backing.subarray(1, 4), x, 0.25, y, 0.75);
    expect([...backing]).toEqual([Number.NaN, 1.75, -1.25, -1, Number.NaN]);
  });

  it('may write over one of its inputs, and splits a large array over the threads (1,000,003 values, against float64)', () => {
    const n = 1_000_003;
    const x = sequence(n, 21), y = sequence(n, 22);
    const expected = Float64Array.from(x, (v, i) => 0.3 * v - 1.5 * y[i]!);
    const before = api.threads();
    api.setThreads(2);
    api.axpby(x, x, 0.3, y, -1.5);
    api.setThreads(before);
    expectClose(x, expected, 1e-6);
  });

  it('rejects arrays of other types or lengths', () => {
    const three = new Float32Array(3);
    expect(() => api.axpby(three, three, 1, new Float32Array(2), 1)).toThrow(/same length \(3, 3, 2\)/);
    expect(() => api.axpby(three, new Float64Array(3) as unknown as Float32Array, 1, three, 1)).toThrow(/x must be a Float32Array/);
    expect(() => api.axpby(three, three, 'a' as unknown as number, three, 1)).toThrow(/alpha and beta must be numbers/);
  });
});
