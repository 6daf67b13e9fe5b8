import { describe, expect, it } from 'vitest';
import { quoteBaseRefs, resolveBaseRefs } from './base-refs.js';

const base = { model: { backbone: { depth: 50 } }, pipeline: [{ type: 'Load' }, { type: 'Resize' }] };

describe('quoteBaseRefs', () => {
  it('quotes unquoted references that stand as whole YAML or JSON values', () => {
    expect(quoteBaseRefs('a: {{_base_.model}}\n- {{ _base_.x.y }}\nb: [{{_base_.p}}, 1]\n"c": {{_base_.q}},')).toBe(
      'a: "{{_base_.model}}"\n- "{{_base_.x.y}}"\nb: ["{{_base_.p}}", 1]\n"c": "{{_base_.q}}",',
    );
  });

  it('leaves quoted references and references inside longer strings alone', () => {
    const text = "a: '{{_base_.model}}'\nb: \"x {{_base_.model}} y\"\nc: key-{{_base_.model}}";
    expect(quoteBaseRefs(text)).toBe(text);
  });
});

describe('resolveBaseRefs', () => {
  it('replaces a string that is exactly {{_base_.a.b}} with a copy of that base value, indexing lists by digits', () => {
    const result = resolveBaseRefs({ depth: '{{_base_.model.backbone.depth}}', step: '{{ _base_.pipeline.1 }}' }, base, '/c.yaml') as {
      step: unknown;
    };
    expect(result).toEqual({ depth: 50, step: { type: 'Resize' } });
    expect(result.step).not.toBe(base.pipeline[1]);
  });

  it('rejects a missing path, naming the reference, where it stops and a close key', () => {
    expect(() => resolveBaseRefs({ x: { y: '{{_base_.model.backbon.depth}}' } }, base, '/c.yaml')).toThrowError(
      "x.y in /c.yaml: '{{_base_.model.backbon.depth}}' does not exist: _base_.model has no 'backbon'. Did you mean 'backbone'?",
    );
  });

  it('rejects a reference in a file without _base_', () => {
    expect(() => resolveBaseRefs({ x: '{{_base_.model}}' }, undefined, '/c.yaml')).toThrowError(
      "x in /c.yaml: '{{_base_.model}}' refers to a base config, but this file has no _base_",
    );
  });
});
