import { describe, expect, it } from 'vitest';
import { parseCli } from './args.js';

describe('parseCli', () => {
  it('reads the command, the config and its format', () => {
    const options = parseCli(['print-config', '--config=atss_kd', '--format', 'json']);
    expect(options).toMatchObject({ command: 'print-config', config: 'atss_kd', format: 'json', cfgOptions: [] });
  });

  it('gathers several words after --cfg-options and accumulates repeated flags', () => {
    const options = parseCli(['print-config', '--cfg-options', 'a=1', 'b.0.c=[1,2]', '--config', 'x', '--cfg-options', 'd=none']);
    expect(options.cfgOptions).toEqual(['a=1', 'b.0.c=[1,2]', 'd=none']);
    expect(options.config).toBe('x');
  });

  it('rejects an unknown format, naming the choices', () => {
    expect(() => parseCli(['print-config', '--format=toml'])).toThrowError("--format: expected one of yaml, json, ts, got 'toml'");
  });

  it('rejects an unknown option', () => {
    expect(() => parseCli(['print-config', '--confg=x'])).toThrowError(/Unknown option '--confg'/);
  });
});

describe('parseCli list options', () => {
  it('gathers the words after --compare and --keys, and splits commas', () => {
    const options = parseCli(['analyze-logs', '--run=a', '--compare', 'b', 'c', '--keys', 'loss,coco/bbox_mAP_50', '--out=x.png']);
    expect(options).toMatchObject({ command: 'analyze-logs', run: 'a', compare: ['b', 'c'], keys: ['loss', 'coco/bbox_mAP_50'], out: 'x.png' });
  });
});
