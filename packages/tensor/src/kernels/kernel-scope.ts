/**
 * Runs registered kernels of one backend directly and frees every intermediate result.
 *
 * The kernel fixes in this folder are compositions of kernels the wasm backend already has (Conv2D, Transpose,
 * PadV2, Slice, ScatterNd...). Kernel functions work on `TensorInfo`s that the engine never sees, so nothing
 * but `backend.disposeData` frees them: a `KernelScope` records each output and disposes all of them except
 * the ones passed to `keep`, also when a kernel throws.
 */
import { getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** The part of a tfjs backend (wasm or cpu) that kernel compositions use. */
export interface KernelBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): unknown;
}

/** The wasm backend's calls for making a tensor directly on its heap. */
export interface WasmBackendLike extends KernelBackendLike {
  makeOutput(shape: number[], dtype: 'float32' | 'int32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array;
}

/** Records the outputs of kernels run through it, so that `dispose` frees them all. */
export class KernelScope {
  private readonly owned: TensorInfo[] = [];

  constructor(
    readonly backend: KernelBackendLike,
    readonly backendName: string,
  ) {}

  /** Runs kernel `name` of this scope's backend; the output is freed by `dispose` unless kept. */
  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const config = getKernel(name, this.backendName) as ReturnType<typeof getKernel> | undefined;
    if (config === undefined) {
      throw new Error(`Kernel '${name}' is not registered for backend '${this.backendName}'.`);
    }
    const out = config.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) throw new Error(`Kernel '${name}' returned ${out.length} outputs, expected one.`);
    return this.track(out);
  }

  /** Hands an intermediate created outside `run` (e.g. by `backend.makeOutput`) to this scope. */
  track(info: TensorInfo): TensorInfo {
    this.owned.push(info);
    return info;
  }

  /**
   * A new wasm tensor owned by this scope, holding `values` or zeros. wasm's `makeOutput` does not clear the
   * memory it allocates, so zeros are written explicitly, unless `zero: false` says the caller writes every value.
   */
  wasmTensor(shape: number[], dtype: 'float32' | 'int32', values?: ArrayLike<number>, { zero = true } = {}): TensorInfo {
    const wasm = this.backend as WasmBackendLike;
    const info = this.track(wasm.makeOutput(shape, dtype));
    const heap = wasm.typedArrayFromHeap(info);
    if (values !== undefined) heap.set(values);
    else if (zero) heap.fill(0);
    return info;
  }

  /**
   * Rows `rows` of a float32 wasm tensor along its first axis, as a new tensor: contiguous block copies on the
   * wasm heap. wasm's GatherV2 and Reverse take ~25 ms on a [9, 256, 256] filter; this takes microseconds.
   */
  pickRows(x: TensorInfo, rows: readonly number[]): TensorInfo {
    const wasm = this.backend as WasmBackendLike;
    const inner = x.shape.slice(1);
    const size = inner.reduce((a, b) => a * b, 1);
    const out = this.track(wasm.makeOutput([rows.length, ...inner], 'float32'));
    // Views are taken after makeOutput: a heap that grows detaches older ones.
    const src = wasm.typedArrayFromHeap(x);
    const dst = wasm.typedArrayFromHeap(out);
    rows.forEach((row, i) => dst.set(src.subarray(row * size, (row + 1) * size), i * size));
    return out;
  }

  /** Frees an intermediate before the scope ends (a large one no later kernel reads). */
  release(info: TensorInfo): void {
    const i = this.owned.lastIndexOf(info);
    if (i < 0) return;
    this.owned.splice(i, 1);
    this.backend.disposeData(info.dataId);
  }

  /** Takes `info` out of the scope: the caller owns it (it is the kernel's result). */
  keep(info: TensorInfo): TensorInfo {
    const i = this.owned.lastIndexOf(info);
    if (i >= 0) this.owned.splice(i, 1);
    return info;
  }

  /** Frees every tracked intermediate. Reshape outputs share data by reference count, so each is released once. */
  dispose(): void {
    for (const info of this.owned.splice(0)) this.backend.disposeData(info.dataId);
  }
}

/**
 * Runs `body` with a fresh scope and returns its result, which is kept; everything else the body ran is freed.
 */
export function withKernelScope(
  backend: KernelBackendLike,
  backendName: string,
  body: (scope: KernelScope) => TensorInfo,
): TensorInfo {
  const scope = new KernelScope(backend, backendName);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}
