/**
 * Splitting a batch into the shards that data-parallel replicas train on, as a distributed sampler hands each
 * GPU its part of the global batch in MMEngine: shard r gets consecutive samples, sizes as even as possible
 * (the first `n mod R` shards one more).
 *
 * A batch is a plain object whose array-valued keys are per-sample lists of one length (mmdet's
 * `{ inputs, data_samples }`, a `DetBatch`); other keys are copied into every shard. A model with another
 * batch form gives its own `splitBatch(batch, sizes)`.
 *
 * @example
 * shardSizes(5, 2); // [3, 2]
 * splitBatch({ inputs: [a, b, c], data_samples: [x, y, z] }, [2, 1]); // [{ inputs: [a, b], ... }, { inputs: [c], ... }]
 */
import { DetlabError, describeValue, isPlainObject } from '@detlab/core';

/** A model that knows how to split its own batches (used instead of `splitBatch` when present). */
export interface SplitsBatches {
  splitBatch(batch: unknown, sizes: readonly number[]): unknown[];
  /** Samples in `batch`. */
  batchLength(batch: unknown): number;
}

/** Shard sizes for `n` samples over at most `replicas` replicas (never an empty shard). */
export function shardSizes(n: number, replicas: number): number[] {
  const used = Math.min(n, replicas);
  return Array.from({ length: used }, (_, r) => Math.floor(n / used) + (r < n % used ? 1 : 0));
}

/** Samples in a batch of the form described in the file comment. */
export function batchLength(batch: unknown): number {
  const lists = perSampleLists(batch);
  return lists[0][1].length;
}

/** Consecutive shards of `batch` with the given sizes (which must add up to its length). */
export function splitBatch(batch: unknown, sizes: readonly number[]): unknown[] {
  const lists = perSampleLists(batch);
  const n = lists[0][1].length;
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== n) throw new DetlabError(`Data-parallel training: shard sizes [${sizes.join(', ')}] add up to ${total}, but the batch has ${n} samples`);
  let start = 0;
  return sizes.map((size) => {
    const shard: Record<string, unknown> = { ...(batch as Record<string, unknown>) };
    for (const [key, list] of lists) shard[key] = list.slice(start, start + size);
    start += size;
    return shard;
  });
}

/** Whether `model` brings its own batch splitting. */
export function splitsBatches(model: unknown): model is SplitsBatches {
  const m = model as Partial<SplitsBatches> | null;
  return typeof m?.splitBatch === 'function' && typeof m.batchLength === 'function';
}

function perSampleLists(batch: unknown): Array<[string, unknown[]]> {
  const fail = (found: string): never => {
    throw new DetlabError(`Data-parallel training: cannot split the batch into per-replica shards: ${found}`, {
      hint: 'Batches must be objects whose array keys list one entry per sample ({ inputs, data_samples }), or the model must define splitBatch(batch, sizes) and batchLength(batch); else set env_cfg.num_workers_train: 1.',
    });
  };
  if (!isPlainObject(batch)) return fail(`expected an object of per-sample lists, got ${describeValue(batch)}`);
  const lists = Object.entries(batch).filter((e): e is [string, unknown[]] => Array.isArray(e[1]));
  if (lists.length === 0) return fail(`no key of the batch is a list (keys: ${Object.keys(batch).join(', ') || 'none'})`);
  const lengths = new Set(lists.map(([, l]) => l.length));
  if (lengths.size > 1) return fail(`its lists differ in length (${lists.map(([k, l]) => `${k}: ${l.length}`).join(', ')})`);
  if (lists[0][1].length === 0) return fail('the batch is empty');
  return lists;
}
