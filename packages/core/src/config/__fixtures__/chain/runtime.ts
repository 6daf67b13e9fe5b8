// A TS base at the bottom of the chain: YAML and JSON configs inherit from it.
import { defineConfig } from '../../define-config.js';

export default defineConfig({
  default_scope: 'detlab',
  log_level: 'INFO',
  env_cfg: { backend: 'auto' },
  work_dir: '{{ fileDirname }}/work_dirs/{{ fileBasenameNoExtension }}',
});
