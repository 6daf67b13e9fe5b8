/**
 * PyTorch <-> detlab weight layouts.
 *
 * detlab computes in NHWC, so a conv weight is HWIO `[kh, kw, in, out]` (what `tf.conv2d` takes) where PyTorch
 * stores OIHW `[out, in, kh, kw]`, and a linear weight is `[in, out]` (for `x @ W`) where PyTorch stores
 * `[out, in]`. Everything of rank 0 or 1 (biases, norm weights, running statistics, `num_batches_tracked`) is
 * the same in both. The rank alone cannot tell a conv weight from something else, so the caller names each
 * parameter's kind; the Module system knows it from the layer that owns the parameter.
 *
 * A safetensors file says which layout it is in under the metadata key `detlab.layout` ("nhwc" or "torch"); a
 * file without the key came from PyTorch (tools/convert-pth.py) and is read as "torch".
 */
import { CheckpointError } from './checkpoint-error.js';
import type { TensorData } from './dtypes.js';
import type { SafetensorsTensor } from './safetensors.js';
import type { ParameterKind } from '../module/module.js';

// The kind of each parameter is the Module's: conv OIHW ↔ HWIO, linear [out, in] ↔ [in, out].
export type { ParameterKind };

/** The layout a checkpoint's weights are in: detlab's own, or PyTorch's. */
export type CheckpointLayout = 'nhwc' | 'torch';

/** The safetensors metadata key that records a file's `CheckpointLayout`. */
export const LAYOUT_METADATA_KEY = 'detlab.layout';

/** Tells the kind of a parameter by its name; `undefined` falls back to `guessKind`. */
export type KindOf = (name: string) => ParameterKind | undefined;

/** A shape and its elements in row-major order. */
export interface LayoutTensor<T extends TensorData = TensorData> {
  shape: number[];
  data: T;
}

/**
 * Converts one parameter from PyTorch layout to detlab layout; returns new arrays and never changes its input.
 *
 * `conv` weights of rank >= 3 go from `[out, in, ...spatial]` to `[...spatial, in, out]` (OIHW -> HWIO; a
 * ConvTranspose2d weight `[in, out, kh, kw]` becomes `[kh, kw, out, in]`, which is what `tf.conv2dTranspose`
 * takes). `linear` weights of rank 2 are transposed. Rank 0 and 1 tensors and `other` are copied unchanged.
 *
 * @example
 * toDetlabLayout('conv', [64, 3, 7, 7], weights); // -> { shape: [7, 7, 3, 64], data }
 */
export function toDetlabLayout<T extends TensorData>(
  kind: ParameterKind,
  shape: readonly number[],
  data: T,
  name?: string,
): LayoutTensor<T> {
  return permute(shape, data, permutation(kind, shape.length, 'toDetlab', name));
}

/** Converts one parameter from detlab layout back to PyTorch layout; the inverse of `toDetlabLayout`. */
export function toTorchLayout<T extends TensorData>(
  kind: ParameterKind,
  shape: readonly number[],
  data: T,
  name?: string,
): LayoutTensor<T> {
  return permute(shape, data, permutation(kind, shape.length, 'toTorch', name));
}

/** The shape a detlab-layout parameter has in PyTorch layout (what `toTorchLayout` would return), without data. */
export function toTorchShape(kind: ParameterKind, shape: readonly number[]): number[] {
  return permutation(kind, shape.length, 'toTorch').map((axis) => shape[axis]!);
}

/**
 * The kind a parameter most likely has from its rank alone: rank >= 3 is a conv weight, rank 2 a linear weight,
 * anything smaller needs no conversion. Right for the CNN detectors detlab mirrors; name the kind whenever a
 * model has other rank-2 or rank-3 tensors (embeddings, anchors).
 */
export function guessKind(shape: readonly number[]): ParameterKind {
  return shape.length >= 3 ? 'conv' : shape.length === 2 ? 'linear' : 'other';
}

/** Reads the layout a file's metadata records; a file without the key is PyTorch's. */
export function layoutOf(metadata: Readonly<Record<string, string>>, file?: string): CheckpointLayout {
  const layout = metadata[LAYOUT_METADATA_KEY];
  if (layout === undefined) return 'torch';
  if (layout === 'nhwc' || layout === 'torch') return layout;
  throw new CheckpointError(
    `metadata '${LAYOUT_METADATA_KEY}' is ${JSON.stringify(layout)}; expected "nhwc" or "torch"`,
    { file },
  );
}

/**
 * Converts every tensor of a decoded checkpoint from one layout to the other; returns `tensors` itself when the
 * layouts agree. `kindOf` names each parameter's kind; names it does not know fall back to `guessKind`.
 */
export function convertLayout(
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  from: CheckpointLayout,
  to: CheckpointLayout,
  kindOf: KindOf = () => undefined,
): ReadonlyMap<string, SafetensorsTensor> {
  if (from === to) return tensors;
  const convert = to === 'nhwc' ? toDetlabLayout : toTorchLayout;
  const converted = new Map<string, SafetensorsTensor>();
  for (const [name, { dtype, shape, data }] of tensors) {
    converted.set(name, { dtype, ...convert(kindOf(name) ?? guessKind(shape), shape, data, name) });
  }
  return converted;
}

/**
 * The axis order for one conversion: output axis k takes input axis `perm[k]`. Throws for a kind whose rank
 * cannot be right, which usually means a parameter was tagged with the wrong kind.
 */
function permutation(kind: ParameterKind, rank: number, direction: 'toDetlab' | 'toTorch', name?: string): number[] {
  const identity = [...Array(rank).keys()];
  if (kind === 'other' || rank <= 1) return identity;
  const what = name === undefined ? `a ${kind} weight` : `parameter '${name}' (kind '${kind}')`;
  if (kind === 'linear') {
    if (rank !== 2) throw new CheckpointError(`${what} has rank ${rank}; linear weights have rank 2 ([out, in])`);
    return [1, 0];
  }
  if (rank < 3) {
    throw new CheckpointError(`${what} has rank ${rank}; conv weights have rank 3 or more ([out, in, ...kernel])`);
  }
  const spatial = identity.slice(2);
  // torch [O, I, ...S] -> detlab [...S, I, O]; and back: detlab [...S, I, O] -> torch [O, I, ...S]
  return direction === 'toDetlab' ? [...spatial, 1, 0] : [rank - 1, rank - 2, ...identity.slice(0, rank - 2)];
}

/** Transposes a row-major array: output axis k is input axis `perm[k]`. */
function permute<T extends TensorData>(shape: readonly number[], data: T, perm: readonly number[]): LayoutTensor<T> {
  const count = shape.reduce((product, size) => product * size, 1);
  if (data.length !== count) {
    throw new CheckpointError(`shape [${shape.join(', ')}] has ${count} elements but the data has ${data.length}`);
  }
  const rank = shape.length;
  const strides: number[] = new Array(rank);
  for (let axis = rank - 1, stride = 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  const outShape = perm.map((axis) => shape[axis]!);
  const step = perm.map((axis) => strides[axis]!); // input stride of each output axis
  const out = new (data.constructor as new (length: number) => T)(count);
  const source = data as ArrayLike<number>;
  const target = out as { [index: number]: number };
  // Walk the output in order like an odometer, keeping the matching input offset up to date.
  const index: number[] = new Array(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    target[i] = source[offset]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      offset += step[axis]!;
      if (++index[axis]! < outShape[axis]!) break;
      offset -= step[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return { shape: outShape, data: out };
}
