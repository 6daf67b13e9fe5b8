// `atss_kd` in the general form (MMRazor's SingleTeacherDistill + ConfigurableDistiller): the same model, the same
// run. Recorders name what to read from each model (here the head's outputs; `neck` would give the FPN features),
// `loss_forward_mappings` which record feeds which argument of which loss, so other distillations (FPN features with
// ChannelWiseDivergence, a SingleConvConnector where channel counts differ) are config changes only.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  _base_: './atss_student.ts',
  model: {
    _delete_: true,
    type: 'SingleTeacherDistill',
    architecture: '{{_base_.model}}',
    teacher: 'atss_teacher',
    teacher_ckpt: 'work_dirs/atss_teacher/teacher.safetensors',
    distiller: {
      type: 'ConfigurableDistiller',
      student_recorders: { bbox_head: { type: 'ModuleOutputs', source: 'bbox_head' } },
      teacher_recorders: { bbox_head: { type: 'ModuleOutputs', source: 'bbox_head' } },
      distill_losses: { loss_kd: { type: 'DistillationLoss', temperature: 4, loss_weight: 0.5, num_classes: 10 } },
      loss_forward_mappings: {
        loss_kd: {
          // data_idx 0: the head's first output, the class logits of every level ([N, H, W, A·C] each).
          preds_S: { recorder: 'bbox_head', from_student: true, data_idx: 0 },
          preds_T: { recorder: 'bbox_head', from_student: false, data_idx: 0 },
        },
      },
    },
  },
  optim_wrapper: { optimizer: { type: 'SGD', momentum: 0.9 } },
});
