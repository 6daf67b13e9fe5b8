import { VISBACKENDS, Registry } from '@detlab/core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryLogger, tempDir } from '../runner/__fixtures__/toy-run.js';
import { LocalVisBackend } from './local-vis-backend.js';
import { buildVisualizer } from './visualizer.js';

const testBackends = new Registry('vis_backend', { parent: VISBACKENDS, scope: 'vistest' });

@testBackends.register('BrokenBackend')
class BrokenBackend {
  calls = 0;
  addScalars(): void {
    this.calls += 1;
    throw new Error('server answered 503');
  }
}

describe('LocalVisBackend', () => {
  it('appends one JSON line per addScalars, with the step', async () => {
    const dir = await tempDir();
    const backend = new LocalVisBackend({ save_dir: join(dir, 'run') });
    await backend.addScalars({ loss: 0.5, lr: 0.01 }, 1);
    await backend.addScalars({ 'coco/bbox_mAP': 0.3 }, 2);
    expect(await readFile(join(dir, 'run', 'scalars.jsonl'), 'utf8')).toBe('{"loss":0.5,"lr":0.01,"step":1}\n{"coco/bbox_mAP":0.3,"step":2}\n');
  });

  it('writes a config copy only when config_save_file is set', async () => {
    const dir = await tempDir();
    await new LocalVisBackend({ save_dir: dir }).addConfig({}, '{}\n');
    await new LocalVisBackend({ save_dir: dir, config_save_file: 'config.json' }).addConfig({}, '{"a":1}\n');
    expect(await readFile(join(dir, 'config.json'), 'utf8')).toBe('{"a":1}\n');
  });
});

describe('Visualizer', () => {
  it('builds backends from vis_backends with save_dir set, and a failing backend costs one warning, not the run', async () => {
    const dir = await tempDir();
    const logger = new MemoryLogger();
    const visualizer = buildVisualizer([{ type: 'LocalVisBackend' }, { type: 'BrokenBackend' }], dir, logger);
    visualizer.addScalars({ loss: 1 }, 1);
    visualizer.addScalars({ loss: 2 }, 2);
    await visualizer.flush();
    expect((visualizer.backends[1] as BrokenBackend).calls).toBe(1);
    expect(logger.lines).toEqual(['WARN [BrokenBackend] addScalars failed, so it is skipped for the rest of the run: server answered 503']);
    expect((await readFile(join(dir, 'scalars.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('rejects a vis_backends value that is not a list', () => {
    expect(() => buildVisualizer({ type: 'LocalVisBackend' }, '/tmp', new MemoryLogger())).toThrow('vis_backends: expected a list of backends, got');
  });
});

describe('Visualizer.addImage', () => {
  it('hands images only to backends that take them, in order with scalars', async () => {
    const calls: string[] = [];
    const withImages = { addScalars: (_s: Record<string, number>, step: number) => void calls.push(`scalars ${step}`), addImage: (name: string, png: Uint8Array, step: number) => void calls.push(`image ${name} ${png.length} ${step}`) };
    const scalarsOnly = { addScalars: () => undefined };
    const visualizer = buildVisualizer([withImages, scalarsOnly], '/tmp', new MemoryLogger());
    visualizer.addScalars({ loss: 1 }, 1);
    visualizer.addImage('val/x', Uint8Array.of(1, 2, 3), 2);
    await visualizer.flush();
    expect(calls).toEqual(['scalars 1', 'image val/x 3 2']);
  });
});
