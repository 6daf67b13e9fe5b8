import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { applyCfgOptions, parseCfgOptions } from './cfg-options.js';

const cfg = {
  model: { backbone: { type: 'ResNet', depth: 50 } },
  train_dataloader: {
    dataset: {
      pipeline: [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations' }, { type: 'Resize', scale: [1333, 800] }],
    },
  },
};

describe('parseCfgOptions', () => {
  it('turns dotted keys into nested objects, keeping digit segments as string keys', () => {
    expect(parseCfgOptions(['a.b.0.c=1'])).toEqual({ a: { b: { '0': { c: 1 } } } });
  });

  it('parses every scalar kind as MMEngine does', () => {
    expect(
      parseCfgOptions(['i=3', 'f=0.5', 'e=1e-4', 't=True', 'fa=false', 'n1=None', 'n2=null', 's=SGD', 'q="quoted"', 'sp=a b']),
    ).toEqual({ i: 3, f: 0.5, e: 0.0001, t: true, fa: false, n1: null, n2: null, s: 'SGD', q: 'quoted', sp: 'a b' });
  });

  it('parses a,b,c and [a,b,c] as lists and (a,b,c) as a tuple (a list)', () => {
    expect(parseCfgOptions(['a=1,2,3', 'b=[x,y]', 'c=(1,2)', 'd=[]'])).toEqual({ a: [1, 2, 3], b: ['x', 'y'], c: [1, 2], d: [] });
  });

  it('parses nested lists and tuples: [(1,2,3),[a,b],c]', () => {
    expect(parseCfgOptions(['x=[(1,2,3),[a,b],c]'])).toEqual({ x: [[1, 2, 3], ['a', 'b'], 'c'] });
  });

  it('strips quotes and removes all whitespace inside list values', () => {
    expect(parseCfgOptions(["x=[ 'a b' , \"c\",\t1 ]"])).toEqual({ x: ['ab', 'c', 1] });
  });

  it('lets a later option win over an earlier one on the same key', () => {
    expect(parseCfgOptions(['a.b=1', 'a.b=2', 'a.c=3'])).toEqual({ a: { b: 2, c: 3 } });
  });

  it('rejects unbalanced brackets, naming the option and the value', () => {
    const parse = () => parseCfgOptions(['model.neck.in_channels=[256,512']);
    expect(parse).toThrowError(ConfigError);
    expect(parse).toThrowError("cfg-option 'model.neck.in_channels=[256,512': unbalanced brackets in the value '[256,512'");
    expect(() => parseCfgOptions(['x=[(1,2],3)'])).toThrowError("unbalanced brackets in the value '[(1,2],3)'");
  });

  it('rejects an option without =, giving the expected form', () => {
    expect(() => parseCfgOptions(['model.backbone.depth'])).toThrowError(
      "cfg-option 'model.backbone.depth': expected KEY=VALUE\n  Write each option as KEY=VALUE with a dotted key, e.g. model.backbone.depth=101.",
    );
  });

  it('rejects an empty key segment', () => {
    expect(() => parseCfgOptions(['model..depth=1'])).toThrowError("cfg-option 'model..depth=1': 'model..depth' is not a valid dotted key");
  });
});

describe('applyCfgOptions', () => {
  it('edits element 2 of a list: train_dataloader.dataset.pipeline.2.scale=[1,2]', () => {
    const result = applyCfgOptions(cfg, ['train_dataloader.dataset.pipeline.2.scale=[1,2]']);
    expect(result.train_dataloader).toEqual({
      dataset: { pipeline: [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations' }, { type: 'Resize', scale: [1, 2] }] },
    });
  });

  it('replaces the type of the first pipeline step: pipeline.0.type=SelfLoadImage', () => {
    const result = applyCfgOptions(cfg, ['train_dataloader.dataset.pipeline.0.type=SelfLoadImage']) as typeof cfg;
    expect(result.train_dataloader.dataset.pipeline[0]).toEqual({ type: 'SelfLoadImage' });
    expect(result.train_dataloader.dataset.pipeline).toHaveLength(3);
  });

  it('rejects a list index beyond the list, naming the path and the length', () => {
    expect(() => applyCfgOptions(cfg, ['train_dataloader.dataset.pipeline.5.type=X'])).toThrowError(
      'train_dataloader.dataset.pipeline.5: index 5 is out of range for train_dataloader.dataset.pipeline, a list of length 3 in the base config',
    );
  });

  it('applies options in order, so a later one refines an earlier one', () => {
    expect(applyCfgOptions({ a: [0, 0, 0] }, ['a=[1,2]', 'a.0=5'])).toEqual({ a: [5, 2] });
    expect(applyCfgOptions(cfg, ['model.backbone.depth=101', 'model.backbone.depth=18']).model).toEqual({
      backbone: { type: 'ResNet', depth: 18 },
    });
  });

  it('does not change the config it is given', () => {
    const before = structuredClone(cfg);
    applyCfgOptions(cfg, ['model.backbone.depth=101']);
    expect(cfg).toEqual(before);
  });
});
