/**
 * The trainer CLI as users run it: the built packages (plain Node, no TypeScript tooling) in a child process,
 * on the config-only experiment under fixtures/config-only.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const bin = join(root, 'packages/trainer/dist/bin.js');
const fixtures = join(here, 'fixtures/config-only');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function detlab(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd: root});
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('detlab print-config', () => {
  it('prints a YAML experiment whose _base_ is a TS config, with the neck changed by name and validated', async () => {
    const result = await detlab('print-config', `--config=${join(fixtures, 'toy_pafpn.yaml')}`);
    expect(result.stderr).not.toContain('ERROR');
    expect(result.code).toBe(0);
    const printed = parseYaml(result.stdout) as { model: Record<string, unknown> };
    expect(printed.model).toEqual({
      type: 'ToyDetector',
      num_classes: 5,
      backbone: { type: 'ToyBackbone', depth: 50 },
      neck: { type: 'toy.ToyPAFPN', in_channels: [256, 512, 1024, 2048], out_channels: 128, num_outs: 5 },
    });
  });

  it('applies cfg-options and prints JSON', async () => {
    const result = await detlab(
      'print-config',
      `--config=${join(fixtures, 'toy_pafpn.yaml')}`,
      '--format=json',
      '--cfg-options',
      'model.backbone.depth=18',
      'model.neck.in_channels=[64,128]',
    );
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { model: { backbone: { depth: number }; neck: { in_channels: number[] } } };
    expect(printed.model.backbone.depth).toBe(18);
    expect(printed.model.neck.in_channels).toEqual([64, 128]);
  });

  it('reports every validation problem with its config path and exits 1', async () => {
    const result = await detlab('print-config', `--config=${join(fixtures, 'toy_broken.yaml')}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Config validation found 3 problems in');
    expect(result.stderr).toContain('toy_broken.yaml');
    expect(result.stderr).toContain('model.backbone.depth: expected one of 18, 50, got 42');
    expect(result.stderr).toContain("model.backbone.frozen_stage: unknown key. Did you mean 'frozen_stages'?");
    expect(result.stderr).toContain("model.neck.type: 'ToyFNP' is not in the detlab::model registry. Did you mean 'ToyFPN'");
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace without --debug
  });

  it('uses the logger service the plugin registered by token', async () => {
    const result = await detlab('validate-config', `--config=${join(fixtures, 'toy_pafpn.yaml')}`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[toy-logger] Config');
  });

  it('names the missing config and the folders it searched', async () => {
    const result = await detlab('print-config', '--config=no_such_experiment');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no_such_experiment');
    expect(result.stderr).toContain('configs');
  });
});

describe('detlab list-modules', () => {
  it('lists the modules a plugin registered with their package and scope', async () => {
    const result = await detlab('list-modules', '--registry=model', `--config=${join(fixtures, 'toy_pafpn.yaml')}`);
    expect(result.code).toBe(0);
    const count = Number(/^model \((\d+)\)/m.exec(result.stdout)?.[1]);
    const listed = result.stdout.split('\n').filter((line) => /^\s+\w+\.\w+\s+@/.test(line));
    expect(listed).toHaveLength(count);
    expect(result.stdout).toMatch(/toy\.ToyPAFPN\s+@detlab\/integration-tests/);
    expect(result.stdout).toMatch(/detlab\.ResNet\s+@detlab\/models/);
  });

  it('rejects an unknown registry with a suggestion', async () => {
    const result = await detlab('list-modules', '--registry=modle');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--registry: no registry is named 'modle'. Did you mean 'model'?");
  });
});
