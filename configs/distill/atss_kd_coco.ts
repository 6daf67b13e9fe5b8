// Knowledge distillation on COCO, the set-up our users bring (shared/reference/kd-setup.md): the ATSS R-50 student
// learns from a frozen ATSS R-101 teacher through T²·KL of temperature-softened class logits (T = 4), weighted 0.5,
// added to its detection losses; SGD momentum 0.9 with the schedule's lr (0.01, 12 epochs).
//
// The short form, as MMDetection KD write-ups write it: the teacher node inside the student's model node inherits
// every key it does not set (neck, head, train/test cfg), so only the backbone differs. `teacher_ckpt` is the
// teacher's trained weights (mmdet's atss_r101_fpn_1x_coco converted with tools/convert-pth.py, or a run of
// `atss_teacher_coco`); with it missing, `trainer:train` trains `teacher_config` first.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: './atss_student_coco.ts',
  model: {
    teacher: {
      type: 'ATSS',
      // Inherits the student's backbone keys; its init_cfg is never applied (the weights come from teacher_ckpt).
      backbone: { type: 'ResNet', depth: 101 },
    },
    teacher_ckpt: 'work_dirs/atss_teacher_coco/teacher.safetensors',
    teacher_config: 'atss_teacher_coco',
  },
  kd_loss: { type: 'DistillationLoss', temperature: 4 },
  kd_loss_weight: 0.5,
  optim_wrapper: { optimizer: { type: 'SGD', momentum: 0.9 } },
});
