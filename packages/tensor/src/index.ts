/**
 * @detlab/tensor: TensorFlow.js backends and set-up, kernel fixes, the Module base class, layers, weight init, safetensors checkpoint I/O and tensor-memory accounting (issue 3).
 *
 * Importing this package registers its layers in the MODELS registry of @detlab/core (`Conv2d`, `BatchNorm2d`,
 * `GroupNorm`, `ReLU`, `MaxPool2d`, `Scale`, `ConvModule`).
 */
export { Module, joinName, type Parameter, type ParameterKind } from './module/module.js';
export { Sequential, ModuleList, type Layer } from './module/containers.js';
export { setSeed } from './module/random.js';

export { Conv2d, type Conv2dOptions } from './layers/conv2d.js';
export { BatchNorm2d, type BatchNorm2dOptions } from './layers/batch-norm.js';
export { GroupNorm, type GroupNormOptions } from './layers/group-norm.js';
export { ReLU } from './layers/activation.js';
export { MaxPool2d, type MaxPool2dOptions } from './layers/max-pool.js';
export { Scale } from './layers/scale.js';
export { buildNormLayer, normCfgSchema, type NormCfg } from './layers/norm-layer.js';
export { buildConvLayer, convCfgSchema, type ConvCfg } from './layers/conv-layer.js';
export { ConvModule, type ConvModuleOptions } from './layers/conv-module.js';

export { initCfgSchema, type InitCfg } from './init/init-cfg.js';
export { initWeights } from './init/init-weights.js';

export { initBackend, type BackendOptions, type BackendReport, type SkippedBackend } from './backend/select-backend.js';
export { MAX_WASM_THREADS, requestWasmThreads, resolveThreads, wasmThreadsCount, type ThreadsOption } from './backend/wasm-threads.js';
export { BACKEND_CHOICES, type BackendChoice } from './backend/candidates.js';
export { envCfgSchema, type EnvCfg } from './backend/env-cfg.js';
export { registerKernelFixes, unregisterKernelFixes, kernelFixesRegistered, KERNEL_FIXES } from './kernels/register-kernel-fixes.js';
export { upsampleNearest } from './ops/upsample-nearest.js';
export { noGrad } from './ops/no-grad.js';
export { copyValuesInto } from './ops/copy-values.js';
export { addScaledValues } from './ops/add-scaled-values.js';
export { sgdStepOneDnn, type SgdStepAttrs } from './ops/sgd-step.js';
export { useOneDnn, oneDnnActive, type OneDnnStatus } from './kernels/onednn-conv.js';

export { numericGradient, maxRelativeError, projectionLoss } from './testing/finite-differences.js';

export { CheckpointError } from './checkpoint/checkpoint-error.js';
export { SAFETENSORS_DTYPES, type SafetensorsDtype, type TensorData } from './checkpoint/dtypes.js';
export { encodeSafetensors, decodeSafetensors, type SafetensorsTensor, type SafetensorsContents } from './checkpoint/safetensors.js';
export { toDetlabLayout, toTorchLayout, convertLayout, LAYOUT_METADATA_KEY, type CheckpointLayout } from './checkpoint/layout.js';
export { saveCheckpoint, loadCheckpoint, type LoadedCheckpoint } from './checkpoint/checkpoint-io.js';
export { loadStateDictInto, loadCheckpointInto, type StateDictTarget, type LoadStateDictReport } from './checkpoint/load-state-dict.js';
export { saveModule, loadModule, moduleStateTarget } from './checkpoint/module-checkpoint.js';
export { type PretrainedReport } from './init/pretrained.js';
export { countComplexity, formatCount, type ComplexityReport, type ModuleCost } from './analysis/complexity.js';

export {
  numInstances,
  assertDetBatch,
  type DetInstances,
  type DetMetaInfo,
  type DetDataSample,
  type DetInputs,
  type DetBatch,
  type DetPrediction,
} from './structures/det-data-sample.js';
