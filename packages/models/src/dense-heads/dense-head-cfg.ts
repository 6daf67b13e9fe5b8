/**
 * `train_cfg` and `test_cfg` of dense (one-stage) heads, as mmdet's `AnchorHead` and `BaseDenseHead` read them.
 * A detector passes its own `train_cfg`/`test_cfg` to its head, so the detector schema validates them with
 * these (errors then name `model.train_cfg.assigner.topk`, where users wrote it).
 *
 * @example
 * train_cfg: { assigner: { type: 'ATSSAssigner', topk: 9 }, allowed_border: -1, pos_weight: -1, debug: false },
 * test_cfg: { nms_pre: 1000, min_bbox_size: 0, score_thr: 0.05, nms: { type: 'nms', iou_threshold: 0.6 }, max_per_img: 100 }
 */
import { TASK_UTILS, ref } from '@detlab/core';
import { z } from 'zod';
import { nmsCfgSchema } from '../task-utils/nms.js';

/**
 * Training settings of an anchor head, with mmdet's meaning.
 *
 * @example
 * denseTrainCfgSchema.parse({ assigner: { type: 'ATSSAssigner', topk: 9 } }); // allowed_border -1, pos_weight -1
 */
export const denseTrainCfgSchema = z.looseObject({
  /** Assigns each anchor to a GT, the background or ignore (TASK_UTILS). */
  assigner: ref(TASK_UTILS),
  /** Heads without sampling (ATSS) use a pseudo sampler whatever is written here. */
  sampler: ref(TASK_UTILS).optional(),
  /** Pixels an anchor may stick out of img_shape and still be trained; negative: every valid anchor counts. */
  allowed_border: z.number().default(-1),
  /** Classification weight of positives; ≤ 0 means 1, the same as negatives. */
  pos_weight: z.number().default(-1),
  /** Accepted for config compatibility; nothing is drawn. */
  debug: z.boolean().default(false),
});

/**
 * Test-time post-processing of a dense head, with the defaults of mmdet's `cfg.get(...)` calls.
 *
 * @example
 * denseTestCfgSchema.parse({ nms: { iou_threshold: 0.6 } }); // nms_pre -1, score_thr 0, min_bbox_size -1, max_per_img 100
 */
export const denseTestCfgSchema = z.looseObject({
  /** Candidates kept per level before NMS, best first; ≤ 0 keeps all above score_thr. */
  nms_pre: z.int().default(-1),
  /** Boxes with width or height ≤ this (in output pixels) are dropped; negative turns the filter off. */
  min_bbox_size: z.number().default(-1),
  /** Classification probabilities at or below this are never candidates (before the centerness factor). */
  score_thr: z.number().min(0).max(1).default(0),
  /** Class-aware NMS settings (`iou_threshold`, `max_num`, `class_agnostic`). */
  nms: nmsCfgSchema,
  /** Detections returned per image after NMS. */
  max_per_img: z.int().positive().default(100),
});

/**
 * Validated `train_cfg` of a dense head.
 *
 * @example
 * const cfg: DenseTrainCfg = denseTrainCfgSchema.parse({ assigner: { type: 'ATSSAssigner', topk: 9 } });
 */
export type DenseTrainCfg = z.output<typeof denseTrainCfgSchema>;

/**
 * Validated `test_cfg` of a dense head.
 *
 * @example
 * const cfg: DenseTestCfg = denseTestCfgSchema.parse({ score_thr: 0.05, nms: { iou_threshold: 0.6 } });
 */
export type DenseTestCfg = z.output<typeof denseTestCfgSchema>;
