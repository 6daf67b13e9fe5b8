// `atss_kd` plus feature distillation, by config alone: the logit KD loss of the short form and, on each of the five
// FPN levels, MMRazor's channel-wise divergence (CWD, Shu et al. 2021: per channel, KL of the spatial softmax of
// teacher and student features; tau 1). The student's FPN has 32 channels and the teacher's 64, so a trained 1×1
// conv (`SingleConvConnector`) maps the student's features to 64 channels first (its weights are saved with the
// student's under `distiller.connectors.`).
import { defineConfig } from '@detlab/core';

const levels = [0, 1, 2, 3, 4];

export default defineConfig({
  _base_: './atss_kd_general.ts',
  model: {
    distiller: {
      student_recorders: { fpn: { type: 'ModuleOutputs', source: 'neck' } },
      teacher_recorders: { fpn: { type: 'ModuleOutputs', source: 'neck' } },
      connectors: { s_fpn: { type: 'SingleConvConnector', in_channel: 32, out_channel: 64 } },
      distill_losses: Object.fromEntries(levels.map((i) => [`loss_cwd_fpn${i}`, { type: 'ChannelWiseDivergence', tau: 1, loss_weight: 2 }])),
      loss_forward_mappings: Object.fromEntries(
        levels.map((i) => [
          `loss_cwd_fpn${i}`,
          {
            preds_S: { recorder: 'fpn', from_student: true, data_idx: i, connector: 's_fpn' },
            preds_T: { recorder: 'fpn', from_student: false, data_idx: i },
          },
        ]),
      ),
    },
  },
});
