/**
 * ATSS detector (Zhang et al., CVPR 2020): a one-stage detector whose head is `ATSSHead`; mirrors mmdet `ATSS`
 * (`mmdet/models/detectors/atss.py`), which adds nothing to `SingleStageDetector` but its name.
 *
 * @example
 * model: { type: 'ATSS',
 *   data_preprocessor: { type: 'DetDataPreprocessor', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], bgr_to_rgb: true, pad_size_divisor: 32 },
 *   backbone: { type: 'ResNet', depth: 50, frozen_stages: 1, norm_eval: true },
 *   neck: { type: 'FPN', in_channels: [256, 512, 1024, 2048], out_channels: 256, start_level: 1, add_extra_convs: 'on_output', num_outs: 5 },
 *   bbox_head: { type: 'ATSSHead', num_classes: 80, in_channels: 256, ... },
 *   train_cfg: { assigner: { type: 'ATSSAssigner', topk: 9 }, allowed_border: -1, pos_weight: -1, debug: false },
 *   test_cfg: { nms_pre: 1000, min_bbox_size: 0, score_thr: 0.05, nms: { type: 'nms', iou_threshold: 0.6 }, max_per_img: 100 } }
 */
import { MODELS } from '@detlab/core';
import { SingleStageDetector, singleStageDetectorSchema, type SingleStageDetectorOptions } from './single-stage.js';

/**
 * Options of `ATSS`: those of every one-stage detector.
 *
 * @example
 * const options: ATSSOptions = { backbone: { type: 'ResNet', depth: 18 }, bbox_head: { type: 'ATSSHead', num_classes: 3, in_channels: 512 } };
 */
export type ATSSOptions = SingleStageDetectorOptions;

/**
 * The ATSS detector; see the file comment and `SingleStageDetector`.
 *
 * @example
 * const atss = MODELS.build<ATSS>({ type: 'ATSS', backbone, neck, bbox_head, train_cfg, test_cfg }, { path: 'model' });
 */
@MODELS.register({ name: 'ATSS', schema: singleStageDetectorSchema, description: 'ATSS one-stage detector (mmdet ATSS).' })
export class ATSS extends SingleStageDetector {}
