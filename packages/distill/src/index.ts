/**
 * @detlab/distill: teacher-student distillation after MMRazor. Importing this package registers
 * - MODELS: `SingleTeacherDistill` (student + frozen teacher + distiller), `ConfigurableDistiller`,
 *   `SingleConvConnector`, and the losses `DistillationLoss`, `KLDivergence`, `MSELoss`, `L2Loss`,
 *   `ChannelWiseDivergence`;
 * - TASK_UTILS: the recorders `ModuleOutputs(Recorder)` and `MethodOutputs(Recorder)`;
 * - config: the top-level keys `kd_loss` and `kd_loss_weight`, the short KD form (teacher inside the student's
 *   model node), teachers named by config, and the check that distilled heads agree on classes and anchors.
 *
 * @example
 * model = { type: 'ATSS', ..., teacher: 'atss_teacher', teacher_ckpt: 'work_dirs/atss_teacher/teacher.safetensors' }
 * kd_loss = { type: 'DistillationLoss', temperature: 4 }
 * kd_loss_weight = 0.5
 */
import './config-keys.js';

export * from './losses/index.js';
export { Recorder, ModuleOutputsRecorder, MethodOutputsRecorder, recorderSchema, findModule, type RecorderOptions } from './recorders/recorders.js';
export { SingleConvConnector, singleConvConnectorSchema, type SingleConvConnectorOptions } from './connectors/single-conv-connector.js';
export {
  ConfigurableDistiller,
  configurableDistillerSchema,
  lossArgumentSchema,
  type ConfigurableDistillerOptions,
} from './distillers/configurable-distiller.js';
export {
  SingleTeacherDistill,
  singleTeacherDistillSchema,
  type SingleTeacherDistillOptions,
  type DistillableModel,
} from './algorithms/single-teacher-distill.js';
export { loadTeacherWeights, type LoadTeacherWeightsOptions } from './algorithms/teacher-weights.js';
export { normalizeShortForm, isShortForm, resolveTeacherConfig, findTeacherConfig, SHORT_FORM_LOSS } from './algorithms/kd-config-form.js';
export { checkHeadAgreement } from './algorithms/check-head-agreement.js';
export { teacherToTrain, exportTeacherWeights, type TeacherToTrain } from './algorithms/teacher-training.js';
