// Runtime defaults shared by every experiment; mirrors mmdet configs/_base_/default_runtime.py.
import { defineConfig } from '@detlab/core';

export default defineConfig({
  default_scope: 'detlab',
  default_hooks: {
    timer: { type: 'IterTimerHook' },
    logger: { type: 'LoggerHook', interval: 50 },
    param_scheduler: { type: 'ParamSchedulerHook' },
    checkpoint: { type: 'CheckpointHook', interval: 1 },
    sampler_seed: { type: 'DistSamplerSeedHook' },
    visualization: { type: 'DetVisualizationHook' },
  },
  // 'auto' picks tensorflow-gpu, tensorflow, webgpu, then wasm: whichever loads first.
  env_cfg: { backend: 'auto' },
  vis_backends: [{ type: 'LocalVisBackend' }],
  log_level: 'INFO',
  load_from: null,
  resume: false,
});
