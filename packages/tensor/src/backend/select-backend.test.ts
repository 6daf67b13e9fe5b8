import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, type Logger } from '@detlab/core';
import { describe, expect, it } from 'vitest';
import { loadOneDnn } from '@detlab/onednn';
import { oneDnnActive } from '../kernels/onednn-conv.js';
import { kernelFixesRegistered } from '../kernels/register-kernel-fixes.js';
import type { BackendChoice } from './candidates.js';
import { isInstalled } from './optional-packages.js';
import { initBackend } from './select-backend.js';

/** A logger that keeps its lines. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string) => void lines.push(message);
  return { lines, level: 'debug', debug: record, info: record, warn: record, error: record, addFile: () => undefined };
}

// This environment has none of the optional packages, as a fresh `npm ci` of detlab has not.
describe('initBackend', () => {
  it('with auto, skips tensorflow-gpu, tensorflow and webgpu with reasons and ends on wasm', async () => {
    const logger = recordingLogger();
    const report = await initBackend('auto', logger);
    expect(report.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.requested).toBe('auto');
    expect(report.skipped).toEqual([
      { name: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu is not installed (optional; its install downloads libtensorflow)' },
      { name: 'tensorflow', reason: '@tensorflow/tfjs-node is not installed (optional; its install downloads libtensorflow)' },
      { name: 'webgpu', reason: expect.stringMatching(/^webgpu is not installed .*; @tensorflow\/tfjs-backend-webgpu is not installed/) },
    ]);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^TensorFlow\.js backend: wasm \(XNNPACK, 1 thread, convolutions on (oneDNN \d+\.\d+\.\d+, 1 thread|wasm kernels: .*oneDNN.*)\), requested 'auto'; skipped tensorflow-gpu: /);
    expect(report.onednn.active).toBe(loadOneDnn().ok);
    expect(logger.lines[0]).toContain('tensorflow: @tensorflow/tfjs-node is not installed');
    expect(logger.lines[0]).toContain('webgpu: webgpu is not installed');
  });

  it('switches the wasm convolutions to oneDNN by default, where it is built, and off with onednn: false', async () => {
    const off = await initBackend('wasm', undefined, { onednn: false });
    expect(off.onednn).toEqual({ active: false, reason: 'switched off (env_cfg.onednn: false)' });
    expect(oneDnnActive()).toBe(false);
    const on = await initBackend('wasm', undefined, { threads: 1 });
    const loaded = loadOneDnn();
    expect(on.onednn).toEqual(loaded.ok ? { active: true, version: loaded.api.version, threads: 1 } : { active: false, reason: loaded.reason });
    expect(oneDnnActive()).toBe(loaded.ok);
  });

  it('registers the wasm kernel fixes', async () => {
    await initBackend('auto');
    expect(kernelFixesRegistered()).toBe(true);
  });

  it('is cheap when called again: same report, no second selection or log line', async () => {
    const first = await initBackend('auto');
    const logger = recordingLogger();
    const [a, b] = await Promise.all([initBackend('auto', logger), initBackend('auto', logger)]);
    expect(a).toEqual(first);
    expect(b).toEqual(first);
    expect(logger.lines).toEqual([]);
  });

  it('switches to an explicit choice and back', async () => {
    const logger = recordingLogger();
    expect(await initBackend('cpu', logger)).toEqual({
      name: 'cpu',
      requested: 'cpu',
      skipped: [],
      threads: 1,
      onednn: { active: false, reason: 'the backend is cpu, not wasm' },
    });
    expect(tf.getBackend()).toBe('cpu');
    expect(logger.lines[0]).toMatch(/^TensorFlow\.js backend: cpu \(plain JavaScript kernels/);
    expect((await initBackend('wasm')).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  for (const [choice, install] of [
    ['tensorflow', 'npm install @tensorflow/tfjs-node@4.22.0'],
    ['tensorflow-gpu', 'npm install @tensorflow/tfjs-node-gpu@4.22.0'],
    ['webgpu', 'npm install webgpu @tensorflow/tfjs-backend-webgpu@4.22.0'],
  ] as const) {
    it(`throws a DetlabError naming the package and its install command for an explicit '${choice}'`, async () => {
      await initBackend('wasm');
      const error = await initBackend(choice).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DetlabError);
      expect((error as DetlabError).message).toMatch(new RegExp(`^Backend '${choice}' is not available: \\S+ is not installed`));
      expect((error as DetlabError).hint).toContain(install);
      expect(tf.getBackend()).toBe('wasm'); // the working backend stays active
    });
  }

  it('rejects an unknown choice with the accepted ones and a suggestion', async () => {
    await expect(initBackend('wasn' as BackendChoice)).rejects.toThrow(
      /^backend: expected one of 'auto', 'wasm', 'webgpu', 'tensorflow', 'tensorflow-gpu', 'cpu', got "wasn"\. Did you mean 'wasm'/,
    );
  });
});

describe('isInstalled', () => {
  it('finds a dependency and not an absent optional package', () => {
    expect(isInstalled('@tensorflow/tfjs-core')).toBe(true);
    expect(isInstalled('@tensorflow/tfjs-node')).toBe(false);
  });
});
