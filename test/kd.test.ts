/**
 * `detlab train --config=atss_kd` end to end, as the README's main job runs it, cut to one epoch of 16 MNIST-Det
 * images (validation on 8): the teacher checkpoint is missing, so the teacher (atss_teacher) trains first and its
 * weights are exported to `teacher_ckpt`; then the student trains with `distill.loss_kd` logged; its checkpoint
 * holds the student alone and evaluates under the plain `atss_student` config.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const bin = join(root, 'packages/trainer/dist/bin.js');
const SHORT = [
  'train_dataloader.dataset.indices=16',
  'val_dataloader.dataset.indices=8',
  'test_dataloader.dataset.indices=8',
  'train_cfg.max_epochs=1',
  'train_dataloader.num_workers=0',
  'val_dataloader.num_workers=0',
  'test_dataloader.num_workers=0',
  'default_hooks.logger.interval=1',
];

function detlab(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

/** The one run folder under a work-dir root. */
async function runFolder(workDir: string): Promise<string> {
  const runs = (await readdir(workDir, { withFileTypes: true })).filter((e) => e.isDirectory());
  expect(runs).toHaveLength(1);
  return join(workDir, runs[0]!.name);
}

describe('detlab train --config=atss_kd', () => {
  it('trains the missing teacher first, then the student with distill.loss_kd; the student checkpoint evaluates as atss_student', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'detlab-kd-e2e-'));
    const teacherCkpt = join(dir, 'teacher', 'teacher.safetensors');
    const train = await detlab([
      'train', '--config=atss_kd', '--backend=wasm', `--work-dir=${join(dir, 'student')}`,
      '--cfg-options', `model.teacher_ckpt=${teacherCkpt}`, ...SHORT,
    ]);
    expect(train.output).not.toMatch(/ERROR/);
    expect(train.code).toBe(0);
    expect(train.output).toMatch(/Teacher checkpoint .*teacher\.safetensors not found: training the teacher first \(.*atss_teacher\.ts/);
    expect(train.output).toMatch(/Teacher trained: weights written to/);
    expect(existsSync(teacherCkpt)).toBe(true);
    // The teacher's own run went under the checkpoint's folder; the student's log has the KD term beside its losses.
    expect(existsSync(join(await runFolder(join(dir, 'teacher')), 'epoch_1.safetensors'))).toBe(true);
    expect(train.output).toMatch(/loss_cls: [\d.]+ {2}loss_bbox: [\d.]+ {2}loss_centerness: [\d.]+ {2}distill\.loss_kd: [\d.]+/);
    expect(train.output).toMatch(/coco\/bbox_mAP_50: /);

    const studentCkpt = join(await runFolder(join(dir, 'student')), 'epoch_1.safetensors');
    const test = await detlab(['test', '--config=atss_student', '--backend=wasm', `--checkpoint=${studentCkpt}`, '--cfg-options', ...SHORT]);
    expect(test.code).toBe(0);
    expect(test.output).not.toMatch(/missing keys|unexpected keys/);
    expect(test.output).toMatch(/coco\/bbox_mAP: [\d.]+/);
  }, 600_000);
});
