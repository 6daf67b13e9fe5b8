import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Conv2d, Module } from '@detlab/tensor';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../__fixtures__/pictures.js';
import { parseInputSize, summaryParts } from './model-summary.js';

describe('model-summary', () => {
  it('prints parameters and MACs per module for the input size, and writes them as JSON', async () => {
    const root = tempDir();
    const config = join(root, 'resnet.json');
    writeFileSync(config, JSON.stringify({ model: { type: 'ResNet', depth: 18, base_channels: 16 }, env_cfg: { backend: 'wasm' } }));
    const out = join(root, 'summary.json');
    const result = await runCli('model-summary', `--config=${config}`, '--input-size', '64', '--depth', '1', `--out=${out}`);
    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain('model: input 1×64×64×3 (NHWC)');
    expect(result.stdout).toMatch(/^ {2}conv1 +Conv2d +2\.35 k +2\.41 M/m); // 7·7·3·16 params; 7·7·3·16·32·32 MACs
    expect(result.stdout).not.toContain('layer1.0'); // --depth 1
    const { parts } = JSON.parse(readFileSync(out, 'utf8'));
    const rows = parts[0].report.modules as Array<{ name: string; macs: number }>;
    const top = rows.filter((r) => !r.name.includes('.') && r.name !== '');
    expect(top.reduce((sum, r) => sum + r.macs, 0)).toBe(parts[0].report.total.macs);
  }, 60_000);

  it('summarises a distillation model as student (without its teacher) and teacher', () => {
    class Student extends Module {
      readonly conv = this.registerModule('conv', new Conv2d({ in_channels: 3, out_channels: 4, kernel_size: 1 }));
      readonly teacher = this.registerModule('teacher', new Conv2d({ in_channels: 3, out_channels: 8, kernel_size: 1 }));
    }
    const model = new Student();
    expect(summaryParts(model).map(([role, part, exclude]) => [role, part.constructor.name, exclude])).toEqual([
      ['student', 'Student', 'teacher'],
      ['teacher', 'Conv2d', undefined],
    ]);
    model.dispose();
  });

  it('reads --input-size as H, H,W or HxW and rejects anything else', () => {
    expect(parseInputSize('224')).toEqual([224, 224]);
    expect(parseInputSize('800,1333')).toEqual([800, 1333]);
    expect(parseInputSize('128x96')).toEqual([128, 96]);
    expect(() => parseInputSize('big')).toThrow("--input-size: expected H or H,W in pixels (e.g. 224 or 800,1333), got 'big'");
  });
});
