import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { substituteText, substituteValues } from './env-vars.js';

const file = '/repo/configs/atss/atss_r50.yaml';

describe('substituteText', () => {
  it('replaces a set variable, in plain and quoted form, with whitespace inside the braces', () => {
    const env = { DATA: '/data/coco' };
    expect(substituteText('root: {{$DATA:/tmp}}\nb: {{ "$DATA" }}\nc: {{ \'$DATA:x\' }}', { file, env })).toBe(
      'root: /data/coco\nb: /data/coco\nc: /data/coco',
    );
  });

  it('uses the default when the variable is unset or empty', () => {
    expect(substituteText('bs: {{$BATCH:16}}, lr: {{ $LR : 0.01 }}', { file, env: { LR: '' } })).toBe('bs: 16, lr: 0.01');
  });

  it('rejects an unset variable without a default, naming the variable and the file', () => {
    const substitute = () => substituteText('root: {{$DATA_ROOT}}', { file, env: {} });
    expect(substitute).toThrowError(ConfigError);
    expect(substitute).toThrowError(
      'Environment variable DATA_ROOT, used in /repo/configs/atss/atss_r50.yaml, is not set and has no default\n  Set DATA_ROOT in the environment, or give a default: {{$DATA_ROOT:default}}.',
    );
  });

  it('replaces the predefined file variables', () => {
    expect(
      substituteText('{{ fileDirname }}|{{fileBasename}}|{{ fileBasenameNoExtension }}|{{  fileExtname  }}', { file, env: {} }),
    ).toBe('/repo/configs/atss|atss_r50.yaml|atss_r50|.yaml');
  });

  it('leaves {{_base_.x}} references alone', () => {
    expect(substituteText('a: {{_base_.model}}', { file, env: {} })).toBe('a: {{_base_.model}}');
  });
});

describe('substituteValues', () => {
  it('turns a string that is exactly one placeholder into a parsed scalar', () => {
    const env = { EPOCHS: '24', AMP: 'true' };
    expect(substituteValues({ a: '{{$EPOCHS:12}}', b: ['{{$AMP}}', '{{$LR:0.02}}'], c: '{{$NAME:None}}' }, { file, env })).toEqual({
      a: 24,
      b: [true, 0.02],
      c: null,
    });
  });

  it('interpolates placeholders inside longer strings as text', () => {
    expect(substituteValues({ work_dir: '{{$OUT:work_dirs}}/{{ fileBasenameNoExtension }}-{{$RUN:1}}' }, { file, env: {} })).toEqual({
      work_dir: 'work_dirs/atss_r50-1',
    });
  });

  it('rejects an unset variable without a default, naming the config path and the file', () => {
    expect(() => substituteValues({ data: { root: '{{$DATA_ROOT}}' } }, { file, env: {} })).toThrowError(
      'data.root: Environment variable DATA_ROOT, used in /repo/configs/atss/atss_r50.yaml, is not set and has no default\n  Set DATA_ROOT',
    );
  });

  it('leaves keys, numbers and the input unchanged', () => {
    const value = { '{{$K:k}}': 1, n: 2 };
    expect(substituteValues(value, { file, env: {} })).toEqual({ '{{$K:k}}': 1, n: 2 });
  });
});
