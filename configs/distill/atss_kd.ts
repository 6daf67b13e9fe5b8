// Knowledge distillation on MNIST-Det, the main job: the student of `atss_student` (ATSS ResNet-18 at an eighth of its
// width, 3 epochs) learns from the frozen `atss_teacher` (ATSS ResNet-34 at a quarter width, 3 epochs) through the KL divergence
// of temperature-softened class logits (T = 4) on every anchor, weighted 0.5, added to its detection losses.
//
// Written in the short form of MMDetection KD write-ups: the teacher inside the student's model node, the KD loss at
// the top level. `teacher` names the teacher's config (its `model` is the teacher); `nx run trainer:train
// --config=atss_kd` trains it first when `teacher_ckpt` is missing. The general form of the same model is
// `atss_kd_general.ts`. Checkpoints of this run hold the student alone and load into `atss_student`.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: './atss_student.ts',
  model: {
    teacher: 'atss_teacher',
    teacher_ckpt: 'work_dirs/atss_teacher/teacher.safetensors',
  },
  kd_loss: { type: 'DistillationLoss', temperature: 4 },
  kd_loss_weight: 0.5,
  optim_wrapper: { optimizer: { type: 'SGD', momentum: 0.9 } },
});
