import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { Config } from './config.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const chain = join(fixtures, 'chain');
const errors = join(fixtures, 'errors');
const env = {}; // no DETLAB_TEST_* variables: defaults apply

const runtime = {
  default_scope: 'detlab',
  log_level: 'INFO',
  env_cfg: { backend: 'auto' },
  work_dir: `${chain}/work_dirs/runtime`,
};
const pipeline = [
  { type: 'LoadImageFromFile' },
  { type: 'LoadAnnotations', with_bbox: true },
  { type: 'Resize', scale: [1333, 800], keep_ratio: true },
  { type: 'PackDetInputs' },
];

/** The ConfigError `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('Config.fromFile', () => {
  it('resolves a YAML config whose bases are a TS and a JSON config', async () => {
    const cfg = await Config.fromFile(join(chain, 'model.yaml'), { env });
    expect(cfg.filename).toBe(join(chain, 'model.yaml'));
    expect(cfg.data).toEqual({
      ...runtime,
      optim_wrapper: { optimizer: { type: 'SGD', lr: 0.02, momentum: 0.9, weight_decay: 0.0001 } },
      train_cfg: { max_epochs: 12 },
      model: {
        type: 'ATSS',
        backbone: { type: 'ResNet', depth: 50, out_indices: [0, 1, 2, 3] },
        neck: { type: 'FPN', in_channels: [256, 512, 1024, 2048], out_channels: 256 },
      },
      train_dataloader: { batch_size: 2, dataset: { pipeline } },
    });
  });

  it('resolves a TS config over the YAML chain: one optimizer key changes, _delete_ replaces the neck', async () => {
    const cfg = await Config.fromFile(join(chain, 'exp.ts'), { env });
    expect(cfg.get('optim_wrapper.optimizer')).toEqual({ type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 0.0001 });
    expect(cfg.get('model.neck')).toEqual({ type: 'PAFPN', in_channels: [256, 512], out_channels: 128 });
    expect(cfg.get('model.backbone.depth')).toBe(50);
    expect(cfg.get('train_cfg.max_epochs')).toBe(24);
    expect(cfg.data).not.toHaveProperty('_base_');
  });

  it('reads environment variables from the env option', async () => {
    const cfg = await Config.fromFile(join(chain, 'exp.ts'), { env: { DETLAB_TEST_EPOCHS: '36' } });
    expect(cfg.get('train_cfg.max_epochs')).toBe(36);
  });

  it('resolves a JSON config over the chain, with {{_base_.x}} references and an env default', async () => {
    const cfg = await Config.fromFile(join(chain, 'exp.json'), { env });
    expect(cfg.get('optim_wrapper.optimizer.lr')).toBe(0.005);
    expect(cfg.get('val_cfg')).toEqual({ max_epochs: 12, backbone_depth: 50 });
    expect(cfg.get('train_dataloader')).toEqual({ batch_size: 4, dataset: { pipeline } });
  });

  it('resolves a YAML config over a TS config, with quoted and unquoted {{_base_.x}} references', async () => {
    const cfg = await Config.fromFile(join(chain, 'exp.yaml'), { env });
    expect(cfg.get('model.backbone.depth')).toBe(101);
    expect(cfg.get('test_neck')).toEqual({ type: 'PAFPN', in_channels: [256, 512], out_channels: 128 });
    expect(cfg.get('first_step')).toEqual({ type: 'LoadImageFromFile' });
    expect(cfg.get('optim_wrapper.optimizer.lr')).toBe(0.01);
  });

  it('applies cfgOptions after inheritance, in order', async () => {
    const cfg = await Config.fromFile(join(chain, 'model.yaml'), {
      env,
      cfgOptions: ['train_dataloader.dataset.pipeline.2.scale=[640,640]', 'model.backbone.depth=18'],
    });
    expect(cfg.get('train_dataloader.dataset.pipeline.2')).toEqual({ type: 'Resize', scale: [640, 640], keep_ratio: true });
    expect(cfg.get('model.backbone.depth')).toBe(18);
  });

  it('resolves pkg::path bases inside installed packages, adding the declared scope to their outermost typed dicts', async () => {
    const cfg = await Config.fromFile(join(fixtures, 'packages/pkg_child.yaml'), { env });
    expect(cfg.data).toEqual({
      model: {
        type: 'FixtureDetector',
        backbone: { type: 'FixtureBackbone', depth: 18 }, // built inside the model's scope (MMEngine scopes the outermost node)
        neck: { type: 'OtherNeck', _scope_: 'other' },
        num_classes: 5,
        _scope_: 'fixture',
        head: { type: 'LocalHead' },
      },
      log_level: 'DEBUG',
      default_hooks: { logger: { type: 'LoggerHook', interval: 10 } },
    });
  });

  it('names a pkg::path package that is not installed and how to install it', async () => {
    const file = join(fixtures, 'packages/missing_pkg.yaml');
    expect((await rejection(Config.fromFile(file, { env }))).message).toBe(
      `_base_ 'detlab-no-such-package::configs/model.yaml' in ${file}: package 'detlab-no-such-package' is not installed\n` +
        '  Run `npm install detlab-no-such-package`.',
    );
  });

  it('rejects sibling bases that share top-level keys, naming the keys and both files', async () => {
    const error = await rejection(Config.fromFile(join(errors, 'dup_child.yaml'), { env }));
    expect(error.message).toBe(
      `Bases ${errors}/dup_a.yaml and ${errors}/dup_b.yaml of ${errors}/dup_child.yaml both set 'model', 'optimizer'\n` +
        '  Sibling bases must not share top-level keys: keep each key in one base, and override it in the child.',
    );
  });

  it('rejects bases that inherit in a cycle, showing the chain', async () => {
    const error = await rejection(Config.fromFile(join(errors, 'cycle_a.yaml'), { env }));
    expect(error.message).toBe(
      `Config files inherit from each other in a cycle: ${errors}/cycle_a.yaml -> ${errors}/cycle_b.yaml -> ${errors}/cycle_a.yaml\n` +
        '  Remove one of these _base_ entries.',
    );
  });

  it('names a missing base and the config that inherits from it', async () => {
    const error = await rejection(Config.fromFile(join(errors, 'missing_base.yaml'), { env }));
    expect(error.message).toBe(`Config file not found: ${errors}/no_such_base.yaml (a _base_ of ${errors}/missing_base.yaml)`);
    expect(error.file).toBe(join(errors, 'missing_base.yaml'));
  });

  it('names the child file when its dict cannot merge into a base scalar', async () => {
    const file = join(errors, 'dict_over_scalar.yaml');
    const error = await rejection(Config.fromFile(file, { env }));
    expect(error.message).toBe(
      `train_cfg.max_epochs: cannot merge a dict in the child config into a number in the base config (child: object {"value":12}, base: 12) (in ${file})\n` +
        "  Set `_delete_: true` in the child's train_cfg.max_epochs dict to replace the base value instead.",
    );
    expect(error.configPath).toBe('train_cfg.max_epochs');
  });
});

describe('Config', () => {
  const cfg = Config.fromObject({ model: { backbone: { depth: 50 } }, pipeline: [{ type: 'A' }, { type: 'B' }] }, 'configs/x.yaml');

  it('fromObject copies the data and makes the filename absolute', () => {
    const source = { a: { b: 1 } };
    const fromObject = Config.fromObject(source);
    source.a.b = 2;
    expect(fromObject.data).toEqual({ a: { b: 1 } });
    expect(fromObject.filename).toBe('');
    expect(cfg.filename).toBe(join(process.cwd(), 'configs/x.yaml'));
  });

  it('fromObject rejects _base_, which only fromFile resolves', () => {
    expect(() => Config.fromObject({ _base_: './a.yaml' })).toThrowError('Config.fromObject does not resolve _base_');
  });

  it('get reads dotted paths, indexing lists by digit segments, and gives undefined for missing ones', () => {
    expect(cfg.get('model.backbone.depth')).toBe(50);
    expect(cfg.get('pipeline.1.type')).toBe('B');
    expect(cfg.get('model.neck.type')).toBeUndefined();
    expect(cfg.get('pipeline.5')).toBeUndefined();
  });

  it('merge returns a new config with dotted keys merged, list indices allowed, the original unchanged', () => {
    const merged = cfg.merge({ 'model.backbone.depth': 101, pipeline: { '0': { type: 'C' } }, 'model.neck': { type: 'FPN' } });
    expect(merged.data).toEqual({ model: { backbone: { depth: 101 }, neck: { type: 'FPN' } }, pipeline: [{ type: 'C' }, { type: 'B' }] });
    expect(merged.filename).toBe(cfg.filename);
    expect(cfg.get('model.backbone.depth')).toBe(50);
  });

  it('toJSON gives a copy of the data, so JSON.stringify writes the resolved config', () => {
    expect(JSON.parse(JSON.stringify(cfg))).toEqual(cfg.data);
    expect(cfg.toJSON()).not.toBe(cfg.data);
  });
});
