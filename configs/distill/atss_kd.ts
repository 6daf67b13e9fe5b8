// Knowledge distillation: the ATSS R-50 student learns from a frozen ATSS R-101 teacher through the KL
// divergence of temperature-softened class predictions (T = 4), weighted 0.5, added to its detection losses.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: '../atss/atss_r50_fpn_1x.ts',
  model: {
    // The short form of MMDetection KD write-ups: the teacher inside the student's model config.
    teacher: {
      type: 'ATSS',
      backbone: { type: 'ResNet', depth: 101 },
    },
    teacher_ckpt: 'work_dirs/atss_r101_fpn_1x/latest.safetensors',
  },
  kd_loss: { type: 'DistillationLoss', temperature: 4 },
  kd_loss_weight: 0.5,
  optim_wrapper: { optimizer: { type: 'SGD', momentum: 0.9 } },
});
