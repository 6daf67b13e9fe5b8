import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../index.js';
import { teacherToTrain } from './teacher-training.js';

const dir = mkdtempSync(join(tmpdir(), 'detlab-teacher-'));

function shortForm(model: Record<string, unknown>): Record<string, unknown> {
  return { model: { type: 'ATSS', backbone: { type: 'ResNet', depth: 18 }, teacher: { backbone: { depth: 34 } }, ...model } };
}

describe('teacherToTrain', () => {
  it('names the teacher config, the checkpoint and the checkpoint folder when the checkpoint is missing', () => {
    const config = shortForm({ teacher_ckpt: 'teachers/t.safetensors', teacher_config: '/repo/configs/distill/atss_teacher.ts' });
    expect(teacherToTrain(config, dir)).toEqual({
      config: '/repo/configs/distill/atss_teacher.ts',
      checkpoint: join(dir, 'teachers/t.safetensors'),
      workDir: join(dir, 'teachers'),
    });
  });

  it('has nothing to do when the checkpoint exists, without a teacher config, or without a teacher', () => {
    writeFileSync(join(dir, 'present.safetensors'), '');
    expect(teacherToTrain(shortForm({ teacher_ckpt: 'present.safetensors', teacher_config: '/c.ts' }), dir)).toBeUndefined();
    expect(teacherToTrain(shortForm({ teacher_ckpt: 'absent.safetensors' }), dir)).toBeUndefined();
    expect(teacherToTrain({ model: { type: 'ATSS' } }, dir)).toBeUndefined();
  });

  it('reads the general form alike', () => {
    const config = { model: { type: 'SingleTeacherDistill', architecture: {}, teacher: {}, teacher_ckpt: 'absent.safetensors', teacher_config: '/c.ts', distiller: {} } };
    expect(teacherToTrain(config, dir)?.checkpoint).toBe(join(dir, 'absent.safetensors'));
  });
});
