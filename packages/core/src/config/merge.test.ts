import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { mergeConfig } from './merge.js';

const base = { optimizer: { type: 'SGD', lr: 0.02, momentum: 0.9, weight_decay: 0.0001 } };

describe('mergeConfig', () => {
  it('changes one key of a base dict and keeps the others (MMEngine docs: lr 0.02 -> 0.01)', () => {
    expect(mergeConfig(base, { optimizer: { lr: 0.01 } })).toEqual({
      optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 0.0001 },
    });
  });

  it('replaces the base dict when the child dict has _delete_: true, leaving only type and lr', () => {
    expect(mergeConfig(base, { optimizer: { _delete_: true, type: 'SGD', lr: 0.01 } })).toEqual({
      optimizer: { type: 'SGD', lr: 0.01 },
    });
  });

  it('replaces lists instead of merging them element by element', () => {
    expect(mergeConfig({ neck: { in_channels: [256, 512, 1024, 2048] } }, { neck: { in_channels: [64, 128] } })).toEqual({
      neck: { in_channels: [64, 128] },
    });
  });

  it('replaces scalars, and a dict with a scalar or null', () => {
    expect(mergeConfig({ a: 1, b: { c: 2 } }, { a: 'x', b: null })).toEqual({ a: 'x', b: null });
  });

  it('takes a key new to the base as is', () => {
    expect(mergeConfig({ a: 1 }, { b: { c: [1, { d: 2 }] } })).toEqual({ a: 1, b: { c: [1, { d: 2 }] } });
  });

  it('merges nested dicts recursively', () => {
    expect(mergeConfig({ model: { backbone: { depth: 50, style: 'pytorch' } } }, { model: { backbone: { depth: 101 } } })).toEqual({
      model: { backbone: { depth: 101, style: 'pytorch' } },
    });
  });

  it('rejects a child dict over a base scalar, naming the path, both types and the _delete_ fix', () => {
    const merge = () => mergeConfig({ model: { neck: 5 } }, { model: { neck: { type: 'FPN' } } });
    expect(merge).toThrowError(ConfigError);
    expect(merge).toThrowError(
      "model.neck: cannot merge a dict in the child config into a number in the base config (child: object {\"type\":\"FPN\"}, base: 5)\n  Set `_delete_: true` in the child's model.neck dict to replace the base value instead.",
    );
  });

  it('rejects a child dict over a base list without allowListKeys', () => {
    expect(() => mergeConfig({ pipeline: [{ type: 'A' }] }, { pipeline: { '0': { type: 'B' } } })).toThrowError(
      'pipeline: cannot merge a dict in the child config into a list in the base config',
    );
  });

  it('accepts a child dict over a base scalar with _delete_: true', () => {
    expect(mergeConfig({ neck: 5 }, { neck: { _delete_: true, type: 'FPN' } })).toEqual({ neck: { type: 'FPN' } });
  });

  it('strips _delete_ from a dict whose key is new to the base, unlike MMEngine', () => {
    expect(mergeConfig({}, { neck: { _delete_: true, type: 'FPN', extra: { _delete_: false, x: 1 } } })).toEqual({
      neck: { type: 'FPN', extra: { x: 1 } },
    });
  });

  it('rejects a _delete_ that is not a boolean', () => {
    expect(() => mergeConfig({ a: { b: 1 } }, { a: { _delete_: 'yes' } })).toThrowError("a._delete_: expected true or false, got 'yes'");
  });

  it('merges into a list element addressed by an all-digit key with allowListKeys', () => {
    const pipeline = [{ type: 'Load' }, { type: 'Resize', scale: [1333, 800] }];
    expect(mergeConfig({ pipeline }, { pipeline: { '1': { scale: [640, 640] } } }, { allowListKeys: true })).toEqual({
      pipeline: [{ type: 'Load' }, { type: 'Resize', scale: [640, 640] }],
    });
  });

  it('replaces a list element with a non-dict value with allowListKeys', () => {
    expect(mergeConfig({ scale: [1, 2] }, { scale: { '1': 5 } }, { allowListKeys: true })).toEqual({ scale: [1, 5] });
  });

  it('rejects a list index beyond the end, naming the path and the list length', () => {
    expect(() => mergeConfig({ pipeline: [{ type: 'A' }, { type: 'B' }] }, { pipeline: { '2': { type: 'C' } } }, { allowListKeys: true })).toThrowError(
      'pipeline.2: index 2 is out of range for pipeline, a list of length 2 in the base config\n  Use an index from 0 to 1, or set the whole list.',
    );
  });

  it('rejects a non-index key for a base list with allowListKeys', () => {
    expect(() => mergeConfig({ pipeline: [] }, { pipeline: { type: 'C' } }, { allowListKeys: true })).toThrowError(
      "pipeline.type: pipeline is a list in the base config, so its keys must be indices, got 'type'",
    );
  });

  it('changes neither input', () => {
    const child = { optimizer: { lr: 0.01 }, extra: { list: [1] } };
    const baseCopy = structuredClone(base);
    const childCopy = structuredClone(child);
    const merged = mergeConfig(base, child);
    (merged.extra as { list: number[] }).list.push(2);
    expect(base).toEqual(baseCopy);
    expect(child).toEqual(childCopy);
  });

  it('rejects values that are not plain data, naming the path', () => {
    expect(() => mergeConfig({}, { model: { init: () => 1 } })).toThrowError(
      'model.init: expected plain data (an object, list, string, number, boolean or null), got function init',
    );
  });
});
