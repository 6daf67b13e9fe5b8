import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPixels, runCli, tempDir, writeScalarLog } from '../__fixtures__/pictures.js';
import { readScalarLog } from '../plots/scalar-log.js';

// Vega's category10: the first two runs' line colours.
const BLUE = [76, 120, 168];
const ORANGE = [245, 133, 24];

describe('analyze-logs', () => {
  it('reads train rows by iteration and val rows by epoch, without timing columns', async () => {
    const dir = join(tempDir(), 'cfg', 'run1');
    writeScalarLog(dir);
    const log = await readScalarLog(dir);
    expect(log.run).toBe('cfg/run1');
    expect(log.points.filter((p) => p.key === 'loss').map((p) => p.x)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]);
    expect(log.points.filter((p) => p.key === 'coco/bbox_mAP_50')).toEqual([1, 2, 3].map((x) => ({ run: 'cfg/run1', key: 'coco/bbox_mAP_50', axis: 'epoch', x, value: expect.closeTo(0.2 * x) })));
    expect(log.points.some((p) => p.key === 'time')).toBe(false);
  });

  it('writes a PNG and an SVG of two charts per row, one line colour per run when runs are compared', async () => {
    const root = tempDir();
    writeScalarLog(join(root, 'teacher', 'r1'));
    writeScalarLog(join(root, 'student', 'r1'), 2);
    const out = join(root, 'plots', 'curves.png');
    const single = await runCli('analyze-logs', `--run=${join(root, 'teacher', 'r1')}`, '--keys', 'loss,coco/bbox_mAP_50', `--out=${join(root, 'single.png')}`);
    expect(single.errors).toEqual([]);
    const result = await runCli('analyze-logs', `--run=${join(root, 'teacher', 'r1')}`, '--keys', 'loss,coco/bbox_mAP_50', '--compare', join(root, 'student', 'r1'), `--out=${out}`);
    expect(result.errors).toEqual([]);
    expect(result.stdout).toBe(`${out}\n${join(root, 'plots', 'curves.svg')}\n`);
    const svg = readFileSync(join(root, 'plots', 'curves.svg'), 'utf8');
    const [, w, h] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!;
    const png = await readPixels(out);
    expect([png.width, png.height]).toEqual([Number(w), Number(h)]);
    expect(png.width).toBeGreaterThan(2 * 360); // two 360-pixel charts side by side
    expect(png.height).toBeGreaterThan(200);
    expect(svg).toContain('coco/bbox_mAP_50');
    expect(svg).toContain('teacher/r1');
    expect(svg).toContain('student/r1');
    expect(png.count(BLUE)).toBeGreaterThan(50);
    expect(png.count(ORANGE)).toBeGreaterThan(50);
    expect((await readPixels(join(root, 'single.png'))).count(ORANGE)).toBe(0);
  });

  it('plots losses, lr and metrics by default next to the log', async () => {
    const dir = join(tempDir(), 'cfg', 'run1');
    writeScalarLog(dir);
    const result = await runCli('analyze-logs', `--run=${dir}`);
    expect(result.errors).toEqual([]);
    expect(existsSync(join(dir, 'analyze_logs.png'))).toBe(true);
    const svg = readFileSync(join(dir, 'analyze_logs.svg'), 'utf8');
    for (const key of ['loss', 'loss_cls', 'lr', 'coco/bbox_mAP', 'coco/bbox_mAP_50']) expect(svg).toContain(`>${key}<`);
  });

  it('names keys that are not logged, and lists those that are', async () => {
    const dir = join(tempDir(), 'cfg', 'run1');
    writeScalarLog(dir);
    const result = await runCli('analyze-logs', `--run=${dir}`, '--keys', 'loss_kd');
    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain('--keys: loss_kd not logged by');
    expect(result.errors[0]).toContain('Logged keys: lr, loss, loss_cls, coco/bbox_mAP, coco/bbox_mAP_50');
  });

  it('says where scalars come from when a folder has none', async () => {
    const result = await runCli('analyze-logs', `--run=${tempDir()}`);
    expect(result.errors[0]).toContain('no scalars.jsonl in');
    expect(result.errors[0]).toContain("LocalVisBackend");
  });
});
