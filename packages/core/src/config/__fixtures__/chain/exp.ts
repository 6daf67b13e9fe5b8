// A TS child of the YAML config: changes one optimizer value and replaces the neck.
import { defineConfig } from '../../define-config.js';

export default defineConfig({
  _base_: './model.yaml',
  optim_wrapper: { optimizer: { lr: 0.01 } },
  model: { neck: { _delete_: true, type: 'PAFPN', in_channels: [256, 512], out_channels: 128 } },
  train_cfg: { max_epochs: '{{$DETLAB_TEST_EPOCHS:24}}' },
});
