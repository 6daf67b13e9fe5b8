import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MODELS } from '../registry/root-registries.js';
import { validateConfig } from '../validation/config-schema.js';
import { Config } from './config.js';
import { normalizeConfig, registerConfigForm, unregisterConfigForm } from './config-forms.js';

// A toy shorthand: `model.wrapped_by: 'ToyWrapper'` means `model: {type: 'ToyWrapper', inner: <model without it>}`.
const wrapperForm = {
  name: 'toy wrapper',
  normalize(config: Record<string, unknown>) {
    const model = config.model as Record<string, unknown> | undefined;
    if (!model || typeof model.wrapped_by !== 'string') return undefined;
    const { wrapped_by: type, ...inner } = model;
    return {
      config: { ...config, model: { type, inner } },
      pathBack: (path: string) => path.replace(/^model\.inner(\.|$)/, 'model$1'),
    };
  },
};

afterEach(() => {
  unregisterConfigForm('toy wrapper');
  unregisterConfigForm('toy resolver');
  MODELS.unregister('ToyWrapper');
  MODELS.unregister('ToyInner');
});

describe('normalizeConfig', () => {
  it('returns the config itself, with identity paths, when no form applies', () => {
    registerConfigForm(wrapperForm);
    const config = { model: { type: 'ToyInner', depth: 1 } };
    const normalized = normalizeConfig(config);
    expect(normalized.config).toBe(config);
    expect(normalized.pathBack('model.depth')).toBe('model.depth');
  });

  it('rewrites a config written in a registered form without changing the written one', () => {
    registerConfigForm(wrapperForm);
    const config = { model: { type: 'ToyInner', depth: 1, wrapped_by: 'ToyWrapper' } };
    const { config: canonical, pathBack } = normalizeConfig(config);
    expect(canonical).toEqual({ model: { type: 'ToyWrapper', inner: { type: 'ToyInner', depth: 1 } } });
    expect(config.model.wrapped_by).toBe('ToyWrapper');
    expect(pathBack('model.inner.depth')).toBe('model.depth');
    expect(pathBack('model.type')).toBe('model.type');
  });
});

describe('validateConfig with a config form', () => {
  it('validates the canonical config and names the paths as the user wrote them', () => {
    registerConfigForm(wrapperForm);
    MODELS.register(class {}, { name: 'ToyWrapper', schema: z.strictObject({ inner: z.looseObject({}) }) });
    MODELS.register(class {}, { name: 'ToyInner', schema: z.strictObject({ depth: z.int().positive() }) });
    expect(validateConfig({ model: { type: 'ToyInner', depth: 1, wrapped_by: 'ToyWrapper' } })).toEqual([]);
    const typo = { model: { type: 'ToyInner', depth: 1, wrapped_by: 'ToyWraper' } };
    const issues = validateConfig(typo);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('model.type');
    expect(issues[0]!.message).toContain("'ToyWraper'");
  });
});

describe('Config.fromFile and config forms', () => {
  it('runs every resolve step on the loaded config, after cfg-options, with the file name', async () => {
    const seen: string[] = [];
    registerConfigForm({
      name: 'toy resolver',
      resolve(data, { filename }) {
        seen.push(filename);
        if (data.teacher === 'named') data.teacher = { loaded_from: 'named', depth: data.depth };
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'detlab-forms-'));
    const file = join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ teacher: 'named', depth: 18 }));
    const config = await Config.fromFile(file, { cfgOptions: ['depth=34'] });
    expect(seen).toEqual([file]);
    expect(config.data.teacher).toEqual({ loaded_from: 'named', depth: 34 });
  });
});
