import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, ConfigValidationError, RegistryError } from '../errors.js';
import { registerAcme } from './__fixtures__/acme-plugin/register.js';
import { setDefaultScope, withDefaultScope } from './default-scope.js';
import { Registry } from './registry.js';

class FPN {
  constructor(readonly options: Record<string, unknown>) {}
}
class ResNet {
  constructor(readonly options: Record<string, unknown>) {}
}

describe('Registry.register', () => {
  it('registers a decorated class under its class name', () => {
    const MODELS = new Registry('model');
    @MODELS.register()
    class ATSSHead {}
    expect(MODELS.get('ATSSHead')).toBe(ATSSHead);
    expect(MODELS.getEntry('ATSSHead')?.packageName).toBe('@detlab/core');
  });

  it('registers under a given name, a list of names, and aliases', () => {
    const MODELS = new Registry('model');
    MODELS.register(FPN, { name: 'MyFPN', aliases: ['FeaturePyramid'] });
    MODELS.register(['ResNetV1', 'ResNetA'])(ResNet);
    expect(MODELS.get('MyFPN')).toBe(FPN);
    expect(MODELS.get('FeaturePyramid')).toBe(FPN);
    expect(MODELS.get('ResNetA')).toBe(ResNet);
    expect(MODELS.getEntry('ResNetA')?.name).toBe('ResNetV1');
    expect(MODELS.list().map((e) => e.name)).toEqual(['MyFPN', 'ResNetV1']);
  });

  it('rejects a second registration under the same name, naming both packages', () => {
    const MODELS = new Registry('model');
    MODELS.register(FPN);
    expect(() => registerAcme(MODELS)).toThrowError(RegistryError);
    try {
      registerAcme(MODELS);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("'FPN' is already registered in the detlab::model registry by @detlab/core");
      expect(message).toContain('registry.test.ts');
      expect(message).toContain('@acme/detlab-plugin');
      expect(message).toContain('force: true');
    }
  });

  it('replaces an entry when force is set', () => {
    const MODELS = new Registry('model');
    MODELS.register(FPN);
    class OtherFPN {}
    MODELS.register(OtherFPN, { name: 'FPN', force: true });
    expect(MODELS.get('FPN')).toBe(OtherFPN);
  });

  it('accepts the same class registered twice under the same name', () => {
    const MODELS = new Registry('model');
    MODELS.register(FPN);
    expect(() => MODELS.register(FPN)).not.toThrow();
  });

  it('rejects a non-boolean force and dotted names', () => {
    const MODELS = new Registry('model');
    expect(() => MODELS.register({ force: 'yes' as unknown as boolean })).toThrowError('force must be a boolean');
    expect(() => MODELS.register(FPN, { name: 'a.FPN' })).toThrowError("'a.FPN' contains a dot");
  });

  it('forgets every name of an entry on unregister', () => {
    const MODELS = new Registry('model');
    MODELS.register(FPN, { aliases: ['Pyramid'] });
    expect(MODELS.unregister('FPN')).toBe(true);
    expect(MODELS.has('Pyramid')).toBe(false);
  });
});

describe('Registry scopes', () => {
  function tree() {
    const MODELS = new Registry('model');
    const ACME = new Registry('model', { parent: MODELS, scope: 'acme' });
    const ZETA = new Registry('model', { parent: MODELS, scope: 'zeta' });
    MODELS.register(ResNet);
    ACME.register(FPN);
    return { MODELS, ACME, ZETA };
  }

  it('requires a scope for a child and a unique one per parent', () => {
    const MODELS = new Registry('model');
    expect(() => new Registry('model', { parent: MODELS })).toThrowError('needs its own scope');
    new Registry('model', { parent: MODELS, scope: 'acme' });
    expect(() => new Registry('model', { parent: MODELS, scope: 'acme' })).toThrowError(
      "Scope 'acme' already exists in the detlab::model registry",
    );
  });

  it('resolves scope.Name in the registry of that scope', () => {
    const { MODELS, ACME } = tree();
    expect(MODELS.get('acme.FPN')).toBe(FPN);
    expect(MODELS.getEntry('acme.FPN')?.registry).toBe(ACME);
  });

  it('looks an unscoped name up in a child, then its parents', () => {
    const { ACME } = tree();
    expect(ACME.get('ResNet')).toBe(ResNet);
    expect(ACME.get('acme.ResNet')).toBe(ResNet);
  });

  it('finds an unscoped name registered by exactly one plugin scope', () => {
    const { MODELS } = tree();
    expect(MODELS.get('FPN')).toBe(FPN);
  });

  it('prefers the default scope when two scopes register the same name', () => {
    const { MODELS, ZETA } = tree();
    class ZetaResNet {}
    ZETA.register(ZetaResNet, { name: 'ResNet' });
    expect(MODELS.get('ResNet')).toBe(ResNet);
    expect(withDefaultScope('zeta', () => MODELS.get('ResNet'))).toBe(ZetaResNet);
    setDefaultScope('zeta');
    try {
      expect(MODELS.get('ResNet')).toBe(ZetaResNet);
    } finally {
      setDefaultScope(undefined);
    }
  });

  it('calls a name ambiguous when two plugin scopes register it and asks for scope.Name', () => {
    const { MODELS, ZETA } = tree();
    class ZetaFPN {}
    ZETA.register(ZetaFPN, { name: 'FPN' });
    expect(() => MODELS.get('FPN')).toThrowError(ConfigError);
    expect(() => MODELS.resolve('FPN', 'model.neck.type')).toThrowError(
      /model\.neck\.type: 'FPN' is registered in several scopes of the model registry: 'acme\.FPN' \(@detlab\/core\), 'zeta\.FPN'/,
    );
    expect(MODELS.get('zeta.FPN')).toBe(ZetaFPN);
  });

  it('treats the mmdet, mmengine and mmrazor scopes as detlab', () => {
    const { MODELS } = tree();
    expect(MODELS.get('mmdet.ResNet')).toBe(ResNet);
    expect(withDefaultScope('mmdet', () => MODELS.get('ResNet'))).toBe(ResNet);
  });
});

describe('Registry.build', () => {
  it('builds with config keys winning over defaults', () => {
    const MODELS = new Registry('model');
    MODELS.register(FPN);
    const neck = MODELS.build<FPN>({ type: 'FPN', out_channels: 256 }, { defaults: { out_channels: 64, num_outs: 5 } });
    expect(neck).toBeInstanceOf(FPN);
    expect(neck.options).toEqual({ out_channels: 256, num_outs: 5 });
  });

  it('takes the type from defaults when the config has none', () => {
    const MODELS = new Registry('model');
    MODELS.register(FPN);
    expect(MODELS.build({ num_outs: 3 }, { defaults: { type: 'FPN' } })).toBeInstanceOf(FPN);
  });

  it('builds from a class given as type and calls registered functions', () => {
    const FUNCTIONS = new Registry('function');
    FUNCTIONS.register((options: { a: number }) => options.a * 2, { name: 'double' });
    expect(FUNCTIONS.build({ type: 'double', a: 21 })).toBe(42);
    const MODELS = new Registry('model');
    expect(MODELS.build({ type: FPN, x: 1 })).toBeInstanceOf(FPN);
  });

  it('applies the schema defaults and rejects bad options with their config paths', () => {
    const MODELS = new Registry('model');
    const schema = z.strictObject({ depth: z.literal([18, 34, 50, 101, 152]), num_stages: z.int().min(1).max(4).default(4) });
    MODELS.register(ResNet, { schema });
    expect(MODELS.build<ResNet>({ type: 'ResNet', depth: 50 }).options).toEqual({ depth: 50, num_stages: 4 });
    let caught: unknown;
    try {
      MODELS.build({ type: 'ResNet', depth: 42, num_stage: 4 }, { path: 'model.backbone' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigValidationError);
    const message = (caught as Error).message;
    expect(message).toContain('model.backbone.depth: expected one of 18, 34, 50, 101, 152, got 42');
    expect(message).toContain("model.backbone.num_stage: unknown key. Did you mean 'num_stages'?");
  });

  it('reports an unknown type with the config path, registry, scope and the closest names', () => {
    const MODELS = new Registry('model');
    MODELS.register(FPN);
    MODELS.register(ResNet);
    expect(() => MODELS.build({ type: 'FNP' }, { path: 'model.neck' })).toThrowError(
      "model.neck.type: 'FNP' is not in the detlab::model registry. Did you mean 'FPN'?",
    );
    expect(() => MODELS.build({ type: 'Nothing' }, { path: 'model.neck' })).toThrowError(
      /Check the spelling \(registered: FPN, ResNet\), or add the package that registers it to custom_imports\.imports/,
    );
  });

  it('reports an unknown scope with the scopes that exist', () => {
    const MODELS = new Registry('model');
    new Registry('model', { parent: MODELS, scope: 'acme' });
    expect(() => MODELS.build({ type: 'acne.FPN' }, { path: 'model.neck' })).toThrowError(
      "model.neck.type: 'acne.FPN' names scope 'acne', which no model registry has (known scopes: detlab, acme).",
    );
  });

  it('rejects a node without type, with a non-object config or with a bad type', () => {
    const MODELS = new Registry('model');
    expect(() => MODELS.build({ depth: 50 }, { path: 'model.backbone' })).toThrowError(
      'model.backbone.type: expected the name of a class registered in the detlab::model registry, got nothing',
    );
    expect(() => MODELS.build([1, 2], { path: 'model' })).toThrowError('model: expected an object with a "type" key');
  });

  it('builds a node with _scope_ inside that scope', () => {
    const MODELS = new Registry('model');
    const ACME = new Registry('model', { parent: MODELS, scope: 'acme' });
    MODELS.register(FPN);
    class AcmeFPN {}
    ACME.register(AcmeFPN, { name: 'FPN' });
    expect(MODELS.build({ type: 'FPN' })).toBeInstanceOf(FPN);
    expect(MODELS.build({ type: 'FPN', _scope_: 'acme' })).toBeInstanceOf(AcmeFPN);
  });
});

describe('Registry.describe and locations', () => {
  it('describes the package, aliases and options with defaults', () => {
    const MODELS = new Registry('model');
    MODELS.register(ResNet, {
      aliases: ['ResNetV1b'],
      description: 'Deep residual network.',
      schema: z.strictObject({ depth: z.literal([50, 101]), frozen_stages: z.int().default(-1) }),
    });
    const text = MODELS.describe('ResNetV1b');
    expect(text).toContain('ResNet (detlab::model)');
    expect(text).toContain('package: @detlab/core');
    expect(text).toContain('aliases: ResNetV1b');
    expect(text).toMatch(/depth\s+one of 50\|101, required/);
    expect(text).toMatch(/frozen_stages\s+integer, default -1/);
  });

  it('imports its locations once and names a location that fails', async () => {
    const ok = new Registry('model', { locations: ['node:path'] });
    await ok.loadLocations();
    const bad = new Registry('model', { locations: ['@acme/not-installed'] });
    await expect(bad.loadLocations()).rejects.toThrowError(
      "Could not import '@acme/not-installed', a location of the detlab::model registry",
    );
  });
});
