/**
 * ATSS head (Zhang et al., "Bridging the Gap Between Anchor-based and Anchor-free Detection via Adaptive Training
 * Sample Selection", CVPR 2020); mirrors mmdet `ATSSHead` (`mmdet/models/dense_heads/atss_head.py`) on top of
 * `AnchorHead` with the pseudo sampler.
 *
 * Each FPN level goes through two towers of `stacked_convs` 3×3 ConvModules (GN + ReLU), one for
 * classification (`cls_convs`) and one for regression (`reg_convs`). Then `atss_cls` gives A·C logits,
 * `atss_reg` A·4 deltas multiplied by the level's learnable `scales.i` (no exp, as the original ATSS), and
 * `atss_centerness` A logits from the regression tower. Parameter names equal mmdet's state dict
 * (`cls_convs.0.conv.weight`, `cls_convs.0.gn.weight`, `atss_cls.bias`, `scales.0.scale`).
 * Targets come from `atss-targets.ts`, the loss from `atss-loss.ts`, detections from `predict-by-feat.ts`.
 *
 * Departures from mmdet, each for a reason:
 * - `loss_bbox` defaults to `GIoULoss` (loss_weight 2.0, the ATSS config's), not AnchorHead's SmoothL1Loss: the
 *   ATSS loss weights each positive box by one centerness value, which only an IoU-type loss takes.
 * - `reg_decoded_bbox` must stay true and `loss_cls` must be a sigmoid loss: ATSS's centerness targets read GT
 *   boxes, and softmax classification with a background channel is not implemented.
 *
 * @example
 * bbox_head: { type: 'ATSSHead', num_classes: 80, in_channels: 256, stacked_convs: 4, feat_channels: 256,
 *   anchor_generator: { type: 'AnchorGenerator', ratios: [1.0], octave_base_scale: 8, scales_per_octave: 1, strides: [8, 16, 32, 64, 128] },
 *   bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] },
 *   loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 },
 *   loss_bbox: { type: 'GIoULoss', loss_weight: 2.0 },
 *   loss_centerness: { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, MODELS, TASK_UTILS, ref } from '@detlab/core';
import { Conv2d, ConvModule, Module, ModuleList, Scale, convCfgSchema, initCfgSchema, normCfgSchema, type DetDataSample, type DetPrediction } from '@detlab/tensor';
import { z } from 'zod';
import type { AnchorGenerator } from '../task-utils/anchor-generator.js';
import type { ATSSAssigner } from '../task-utils/atss-assigner.js';
import type { DeltaXYWHBBoxCoder } from '../task-utils/delta-xywh-bbox-coder.js';
import { atssLossByFeat, type AtssLosses, type LossModule } from './atss-loss.js';
import { atssTargets } from './atss-targets.js';
import { denseTestCfgSchema, denseTrainCfgSchema, type DenseTestCfg, type DenseTrainCfg } from './dense-head-cfg.js';
import { predictByFeat, type DenseHeadOutputs } from './predict-by-feat.js';
// Side-effect imports: register the task utilities and losses the defaults and ATSS configs name.
import '../task-utils/index.js';
import '../losses/index.js';

/**
 * Options of `ATSSHead`, validated, with mmdet's defaults (AnchorHead's for the anchors and the coder).
 *
 * @example
 * atssHeadSchema.parse({ num_classes: 80, in_channels: 256 }); // stacked_convs 4, feat_channels 256, GN(32)
 */
export const atssHeadSchema = z
  .strictObject({
    /** Object classes, without background. */
    num_classes: z.int().positive(),
    /** Channels of every input level (the FPN's out_channels). */
    in_channels: z.int().positive(),
    /** Width of the conv towers. */
    feat_channels: z.int().positive().default(256),
    stacked_convs: z.int().nonnegative().default(4),
    /** Kernel of atss_cls / atss_reg / atss_centerness; odd, padded to keep the size. */
    pred_kernel_size: z.int().positive().refine((k) => k % 2 === 1, 'expected an odd kernel size').default(3),
    conv_cfg: convCfgSchema.default(null),
    norm_cfg: normCfgSchema.nullable().default({ type: 'GN', num_groups: 32, requires_grad: true }),
    reg_decoded_bbox: z.literal(true, 'ATSS regresses decoded boxes; expected true').default(true),
    anchor_generator: ref(TASK_UTILS).default({ type: 'AnchorGenerator', scales: [8, 16, 32], ratios: [0.5, 1.0, 2.0], strides: [4, 8, 16, 32, 64] }),
    bbox_coder: ref(TASK_UTILS).default({ type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [1, 1, 1, 1] }),
    loss_cls: ref(MODELS).default({ type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 }),
    loss_bbox: ref(MODELS).default({ type: 'GIoULoss', loss_weight: 2.0 }),
    loss_centerness: ref(MODELS).default({ type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 }),
    /** Set by the detector from its own train_cfg / test_cfg, as mmdet does. */
    train_cfg: denseTrainCfgSchema.nullable().default(null),
    test_cfg: denseTestCfgSchema.nullable().default(null),
    init_cfg: initCfgSchema.prefault({ type: 'Normal', layer: 'Conv2d', std: 0.01, override: { type: 'Normal', name: 'atss_cls', std: 0.01, bias_prob: 0.01 } }),
  })
  .superRefine((o, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const sigmoid = (o.loss_cls as { use_sigmoid?: unknown }).use_sigmoid;
    if (sigmoid === false || (o.loss_cls.type === 'CrossEntropyLoss' && sigmoid !== true)) {
      issue(['loss_cls', 'use_sigmoid'], 'ATSSHead classifies with sigmoids (no background channel); expected true');
    }
    // The towers are built here, not through a config path of their own: check what their GroupNorm would reject.
    const groups = (o.norm_cfg as { num_groups?: unknown } | null)?.num_groups;
    if (typeof groups === 'number' && o.stacked_convs > 0 && o.feat_channels % groups !== 0) {
      issue(['norm_cfg', 'num_groups'], `expected a divisor of feat_channels (${o.feat_channels}), got ${groups}`);
    }
    if (o.stacked_convs === 0 && o.in_channels !== o.feat_channels) {
      issue(['feat_channels'], `with stacked_convs 0 the prediction convs read the input: expected in_channels (${o.in_channels}), got ${o.feat_channels}`);
    }
  });

/**
 * Options of `ATSSHead`, keys as in MMDetection configs.
 *
 * @example
 * const options: ATSSHeadOptions = { num_classes: 3, in_channels: 64, feat_channels: 64, stacked_convs: 2 };
 */
export type ATSSHeadOptions = z.input<typeof atssHeadSchema>;

/**
 * The ATSS dense head; see the file comment.
 *
 * @example
 * bbox_head: { type: 'ATSSHead', num_classes: 10, in_channels: 64, feat_channels: 64, stacked_convs: 2,
 *   norm_cfg: { type: 'GN', num_groups: 16 } }
 */
@MODELS.register({ name: 'ATSSHead', schema: atssHeadSchema, description: 'ATSS dense head: GN conv towers, cls/reg/centerness (mmdet ATSSHead).' })
export class ATSSHead extends Module {
  readonly options: z.output<typeof atssHeadSchema>;
  readonly numClasses: number;
  /** Anchors per location (mmdet `num_base_priors`). */
  readonly numAnchors: number;
  readonly anchorGenerator: AnchorGenerator;
  readonly bboxCoder: DeltaXYWHBBoxCoder;
  /** Built from `train_cfg.assigner`; undefined without train_cfg (inference only). */
  readonly assigner: ATSSAssigner | undefined;
  readonly trainCfg: DenseTrainCfg | null;
  readonly testCfg: DenseTestCfg | null;
  readonly clsConvs: ModuleList<ConvModule>;
  readonly regConvs: ModuleList<ConvModule>;
  readonly atssCls: Conv2d;
  readonly atssReg: Conv2d;
  readonly atssCenterness: Conv2d;
  readonly scales: ModuleList<Scale>;
  readonly lossCls: LossModule;
  readonly lossBbox: LossModule;
  readonly lossCenterness: LossModule;

  constructor(options: ATSSHeadOptions) {
    super();
    const o = (this.options = atssHeadSchema.parse(options));
    this.initCfg = o.init_cfg;
    this.numClasses = o.num_classes;
    this.trainCfg = o.train_cfg;
    this.testCfg = o.test_cfg;
    // Paths are the usual ones; the whole config was validated (with its real paths) before this runs.
    this.anchorGenerator = TASK_UTILS.build<AnchorGenerator>(o.anchor_generator, { path: 'model.bbox_head.anchor_generator' });
    this.bboxCoder = TASK_UTILS.build<DeltaXYWHBBoxCoder>(o.bbox_coder, { path: 'model.bbox_head.bbox_coder' });
    this.assigner = o.train_cfg ? TASK_UTILS.build<ATSSAssigner>(o.train_cfg.assigner, { path: 'model.train_cfg.assigner' }) : undefined;
    this.numAnchors = this.anchorGenerator.numBaseAnchors[0]!;

    this.clsConvs = this.registerModule('cls_convs', new ModuleList<ConvModule>());
    this.regConvs = this.registerModule('reg_convs', new ModuleList<ConvModule>());
    for (let i = 0; i < o.stacked_convs; i += 1) {
      const tower = { in_channels: i === 0 ? o.in_channels : o.feat_channels, out_channels: o.feat_channels, kernel_size: 3, stride: 1, padding: 1 };
      this.clsConvs.append(new ConvModule({ ...tower, conv_cfg: o.conv_cfg, norm_cfg: o.norm_cfg }));
      this.regConvs.append(new ConvModule({ ...tower, conv_cfg: o.conv_cfg, norm_cfg: o.norm_cfg }));
    }
    const pred = (out: number) => new Conv2d({ in_channels: o.feat_channels, out_channels: out, kernel_size: o.pred_kernel_size, padding: (o.pred_kernel_size - 1) / 2 });
    this.atssCls = this.registerModule('atss_cls', pred(this.numAnchors * o.num_classes));
    this.atssReg = this.registerModule('atss_reg', pred(this.numAnchors * 4));
    this.atssCenterness = this.registerModule('atss_centerness', pred(this.numAnchors));
    this.scales = this.registerModule('scales', new ModuleList(this.anchorGenerator.strides.map(() => new Scale({ scale: 1 }))));
    this.lossCls = this.registerModule('loss_cls', MODELS.build<LossModule & Module>(o.loss_cls, { path: 'model.bbox_head.loss_cls' }));
    this.lossBbox = this.registerModule('loss_bbox', MODELS.build<LossModule & Module>(o.loss_bbox, { path: 'model.bbox_head.loss_bbox' }));
    this.lossCenterness = this.registerModule('loss_centerness', MODELS.build<LossModule & Module>(o.loss_centerness, { path: 'model.bbox_head.loss_centerness' }));
  }

  /** One feature map [N, H_l, W_l, in_channels] per anchor level → per level cls [.., A·C], deltas [.., A·4], centerness [.., A]. */
  forward(feats: readonly tf.Tensor4D[]): DenseHeadOutputs {
    if (feats.length !== this.scales.length) {
      throw new DetlabError(`ATSSHead.forward: expected ${this.scales.length} feature maps (one per anchor_generator stride), got ${feats.length}`);
    }
    return tf.tidy(() => {
      const outputs: DenseHeadOutputs = { clsScores: [], bboxPreds: [], centernesses: [] };
      feats.forEach((x, level) => {
        let clsFeat = x;
        let regFeat = x;
        for (const conv of this.clsConvs) clsFeat = conv.forward(clsFeat); // [N, H, W, feat]
        for (const conv of this.regConvs) regFeat = conv.forward(regFeat); // [N, H, W, feat]
        outputs.clsScores.push(this.atssCls.forward(clsFeat)); // [N, H, W, A·C]
        outputs.bboxPreds.push(this.scales.at(level).forward(this.atssReg.forward(regFeat))); // [N, H, W, A·4]
        outputs.centernesses.push(this.atssCenterness.forward(regFeat)); // [N, H, W, A]
      });
      return outputs;
    });
  }

  /**
   * `{ loss_cls, loss_bbox, loss_centerness }` for the batch (each summed over levels, as mmdet's model sums
   * the per-level lists). `dataSamples` come from the data preprocessor (`pad_shape` set); an image with no
   * GT trains as negatives only.
   */
  loss(feats: readonly tf.Tensor4D[], dataSamples: readonly DetDataSample[]): AtssLosses {
    const assigner = this.assigner;
    const trainCfg = this.trainCfg;
    if (!assigner || !trainCfg) {
      throw new DetlabError('ATSSHead.loss: no train_cfg, so no assigner was built', {
        hint: "Give the detector a train_cfg, e.g. train_cfg: { assigner: { type: 'ATSSAssigner', topk: 9 } }.",
      });
    }
    this.checkBatch(feats, dataSamples, 'loss');
    return tf.tidy(() => {
      const outputs = this.forward(feats);
      const featmapSizes = outputs.clsScores.map((c) => [c.shape[1], c.shape[2]] as [number, number]);
      const targets = atssTargets({ anchorGenerator: this.anchorGenerator, assigner, featmapSizes, dataSamples, numClasses: this.numClasses, trainCfg });
      return atssLossByFeat(outputs, targets, this);
    });
  }

  /**
   * Detections per image: boxes in `img_shape` pixels, or in `ori_shape` pixels with `rescale` (mmdet's
   * `predict(x, batch_data_samples, rescale=False)`).
   */
  async predict(feats: readonly tf.Tensor4D[], dataSamples: readonly DetDataSample[], { rescale = false } = {}): Promise<DetPrediction[]> {
    const testCfg = this.testCfg;
    if (!testCfg) {
      throw new DetlabError('ATSSHead.predict: no test_cfg', {
        hint: "Give the detector a test_cfg, e.g. test_cfg: { nms_pre: 1000, min_bbox_size: 0, score_thr: 0.05, nms: { type: 'nms', iou_threshold: 0.6 }, max_per_img: 100 }.",
      });
    }
    this.checkBatch(feats, dataSamples, 'predict');
    const outputs = this.forward(feats);
    try {
      return await predictByFeat(outputs, { anchorGenerator: this.anchorGenerator, bboxCoder: this.bboxCoder, dataSamples, testCfg, rescale });
    } finally {
      tf.dispose(outputs);
    }
  }

  private checkBatch(feats: readonly tf.Tensor4D[], dataSamples: readonly DetDataSample[], method: string): void {
    const n = feats[0]?.shape[0];
    if (n !== dataSamples.length) throw new DetlabError(`ATSSHead.${method}: expected one data sample per image of the batch (${n}), got ${dataSamples.length}`);
  }
}
