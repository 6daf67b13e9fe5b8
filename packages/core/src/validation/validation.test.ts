import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigValidationError } from '../errors.js';
import { Registry } from '../registry/registry.js';
import { DATASETS, HOOKS, MODELS, TASK_UTILS, TRANSFORMS } from '../registry/root-registries.js';
import { assertValidConfig, registerConfigCheck, registerConfigKey, validateConfig } from './config-schema.js';
import { configJsonSchema } from './json-schema.js';
import { ref } from './ref.js';

// The root registries are process-wide: every test removes what it registered.
const registered: Array<[Registry, string]> = [];
function register(registry: Registry, name: string, schema?: z.ZodType) {
  registry.register(class {}, { name, schema });
  registered.push([registry, name]);
}
afterEach(() => {
  for (const [registry, name] of registered.splice(0)) registry.unregister(name);
});

function registerDetector() {
  register(MODELS, 'ToyDetector', z.strictObject({ backbone: ref(MODELS), neck: ref(MODELS).optional(), bbox_head: ref(MODELS) }));
  register(MODELS, 'ToyResNet', z.strictObject({ depth: z.literal([18, 34, 50, 101, 152]), num_stages: z.int().min(1).max(4).default(4) }));
  register(MODELS, 'ToyFPN', z.strictObject({ in_channels: z.array(z.int().positive()), out_channels: z.int().positive() }));
  register(MODELS, 'ToyHead', z.strictObject({ num_classes: z.int().positive(), anchor_generator: ref(TASK_UTILS) }));
  register(TASK_UTILS, 'ToyAnchors', z.strictObject({ strides: z.array(z.int()) }));
}

const validModel = {
  type: 'ToyDetector',
  backbone: { type: 'ToyResNet', depth: 50 },
  neck: { type: 'ToyFPN', in_channels: [256, 512], out_channels: 256 },
  bbox_head: { type: 'ToyHead', num_classes: 10, anchor_generator: { type: 'ToyAnchors', strides: [8, 16] } },
};

describe('validateConfig', () => {
  it('accepts a valid config with free variables beside the known keys', () => {
    registerDetector();
    expect(validateConfig({ model: validModel, data_root: 'data/', max_epochs: 12 })).toEqual([]);
  });

  it('reports every problem at once, each with its config path', () => {
    registerDetector();
    const issues = validateConfig({
      model: {
        ...validModel,
        backbone: { type: 'ToyResNet', depth: 42, num_stage: 3 },
        neck: { type: 'ToyFNP' },
        bbox_head: { type: 'ToyHead', num_classes: -1, anchor_generator: { type: 'ToyAnchors', strides: ['8'] } },
      },
    });
    expect(issues).toEqual([
      { path: 'model.backbone.depth', message: 'expected one of 18, 34, 50, 101, 152, got 42' },
      { path: 'model.backbone.num_stage', message: "unknown key. Did you mean 'num_stages'? Known keys: depth, num_stages." },
      { path: 'model.neck.type', message: "'ToyFNP' is not in the detlab::model registry. Did you mean 'ToyFPN'?" },
      { path: 'model.bbox_head.num_classes', message: 'expected > 0, got -1' },
      { path: 'model.bbox_head.anchor_generator.strides.0', message: "expected number, got '8'" },
    ]);
  });

  it('checks lists of transforms and the dataset inside a dataloader', () => {
    register(DATASETS, 'ToyDataset', z.strictObject({ pipeline: z.array(ref(TRANSFORMS)) }));
    register(TRANSFORMS, 'ToyResize', z.strictObject({ scale: z.tuple([z.int(), z.int()]) }));
    const issues = validateConfig({
      train_dataloader: { batch_size: 0, dataset: { type: 'ToyDataset', pipeline: [{ type: 'ToyResize', scale: [1, 2] }, { type: 'ToyFlip' }] } },
    });
    expect(issues).toEqual([
      { path: 'train_dataloader.batch_size', message: 'expected > 0, got 0' },
      { path: 'train_dataloader.dataset.pipeline.1.type', message: "'ToyFlip' is not in the detlab::transform registry." },
    ]);
  });

  it('removes a default hook with null and checks the others', () => {
    register(HOOKS, 'ToyCheckpointHook', z.strictObject({ interval: z.int().positive() }));
    expect(validateConfig({ default_hooks: { checkpoint: { type: 'ToyCheckpointHook', interval: 1 }, logger: null } })).toEqual([]);
    expect(validateConfig({ default_hooks: { checkpoint: { type: 'ToyCheckpointHook', interval: 'x' } } })).toEqual([
      { path: 'default_hooks.checkpoint.interval', message: "expected number, got 'x'" },
    ]);
  });

  it('validates keys that packages register', () => {
    register(MODELS, 'ToyKDLoss', z.strictObject({ temperature: z.number().positive() }));
    registerConfigKey('toy_kd_loss', () => ref(MODELS).optional());
    expect(validateConfig({ toy_kd_loss: { type: 'ToyKDLoss', temperature: 0 } })).toEqual([
      { path: 'toy_kd_loss.temperature', message: 'expected > 0, got 0' },
    ]);
  });

  it('throws one error listing every problem and the file', () => {
    registerDetector();
    const bad = { model: { ...validModel, backbone: { type: 'ToyResNet' } }, custom_imports: { imports: 'x' } };
    expect(() => assertValidConfig(bad, 'configs/toy.yaml')).toThrowError(ConfigValidationError);
    expect(() => assertValidConfig(bad, 'configs/toy.yaml')).toThrowError(
      [
        'Config validation found 2 problems in configs/toy.yaml:',
        '  - custom_imports.imports: expected array, got \'x\'',
        '  - model.backbone.depth: required: expected one of 18, 34, 50, 101, 152',
      ].join('\n'),
    );
  });
});

describe('configJsonSchema', () => {
  it('describes each registered type with its options under one definition per registry', () => {
    registerDetector();
    const schema = configJsonSchema() as {
      properties: Record<string, { $ref?: string }>;
      $defs: Record<string, { anyOf: Array<{ properties: Record<string, { enum?: string[]; $ref?: string }>; required: string[] }> }>;
    };
    expect(schema.properties.model.$ref).toBe('#/$defs/detlab.model');
    const branches = schema.$defs['detlab.model'].anyOf;
    const resnet = branches.find((b) => b.properties.type.enum?.includes('ToyResNet'));
    expect(resnet?.properties.type.enum).toEqual(['ToyResNet', 'detlab.ToyResNet']);
    expect(resnet?.required).toEqual(['type', 'depth']);
    const head = branches.find((b) => b.properties.type.enum?.includes('ToyHead'));
    expect(head?.properties.anchor_generator.$ref).toBe('#/$defs/detlab.task_util');
    expect(JSON.stringify(schema)).not.toContain('"$ref":"#/$defs/undefined"');
  });
});

describe('registerConfigCheck', () => {
  it('adds cross-key issues to the schema issues', () => {
    registerConfigCheck((config) =>
      config.epochs !== undefined && config.epochs !== (config.schedule as { epochs?: unknown } | undefined)?.epochs
        ? [{ path: 'epochs', message: 'must equal schedule.epochs' }]
        : [],
    );
    expect(validateConfig({ epochs: 3, schedule: { epochs: 3 } })).toEqual([]);
    expect(validateConfig({ epochs: 3, schedule: { epochs: 4 } })).toEqual([{ path: 'epochs', message: 'must equal schedule.epochs' }]);
  });
});
