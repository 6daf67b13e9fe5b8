/**
 * A short training run as the runner's LoggerHook reports it: train rows per iteration, per-epoch val
 * metrics at a lower step (the epoch), the config first.
 *
 * @example
 * await logToyRun(new WandbVisBackend({ save_dir }));
 */
import type { WandbVisBackend } from '../wandb-vis-backend.js';

/** The config the toy run sends. */
export const RUN_CONFIG = { model: { type: 'ATSS', num_classes: 10 }, optim_wrapper: { optimizer: { type: 'SGD', lr: 0.01 } } };

/** What a short training run sends: train rows per iteration, val metrics per epoch (a lower step). */
export async function logToyRun(backend: WandbVisBackend): Promise<void> {
  backend.addConfig(RUN_CONFIG, `${JSON.stringify(RUN_CONFIG, null, 2)}\n`);
  backend.addScalars({ lr: 0.01, loss: 1.5, epoch: 1, iter: 10 }, 10);
  backend.addScalars({ grad_norm: 3 }, 10);
  backend.addScalars({ lr: 0.01, loss: 1.0, epoch: 1, iter: 20 }, 20);
  backend.addScalars({ 'coco/bbox_mAP': 0.4 }, 1);
  backend.addScalars({ lr: 0.001, loss: 0.75, epoch: 2, iter: 30 }, 30);
  backend.addScalars({ 'coco/bbox_mAP': 0.3 }, 2);
  await backend.close();
}

/** Rows without the keys the SDK stamps at send time. */
export function stable(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map(({ _runtime, _timestamp, ...row }) => row);
}
