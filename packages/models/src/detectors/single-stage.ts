/**
 * One-stage detectors: data preprocessor → backbone → neck → dense head; mirrors mmdet `SingleStageDetector`
 * (`mmdet/models/detectors/single_stage.py`) and its `BaseDetector` modes: `loss(batch)` returns the named
 * losses, `predict(batch)` the detections per image in original-image pixels, `forwardTensor(batch)` the head's
 * raw outputs (mmdet's `_forward`, mode 'tensor').
 *
 * Every child is built from MODELS by its config node; the detector's schema checks each node against the
 * registered class's schema (`ref(MODELS)`), so a whole model config is validated, with full config paths, before
 * any tensor exists. As in mmdet, the detector's `train_cfg` and `test_cfg` are handed to the head (replacing any
 * the head node had), and validated here with the dense-head schemas.
 *
 * Departure from mmdet: `data_preprocessor` defaults to `DetDataPreprocessor` with no normalisation (mmdet's
 * `BaseDataPreprocessor` only moves tensors to a device, which has no meaning here).
 *
 * @example
 * model: { type: 'SingleStageDetector', backbone: { type: 'ResNet', depth: 18 },
 *   neck: { type: 'FPN', in_channels: [64, 128, 256, 512], out_channels: 256, start_level: 1, add_extra_convs: 'on_output', num_outs: 5 },
 *   bbox_head: { type: 'ATSSHead', num_classes: 80, in_channels: 256 },
 *   train_cfg: { assigner: { type: 'ATSSAssigner', topk: 9 } }, test_cfg: { score_thr: 0.05, nms: { iou_threshold: 0.6 } } }
 */
import * as tf from '@tensorflow/tfjs-core';
import { MODELS, ref } from '@detlab/core';
import { Module, initCfgSchema, initWeights, type DetBatch, type DetDataSample, type DetPrediction, type PretrainedReport } from '@detlab/tensor';
import { z } from 'zod';
// A value import: registers DetDataPreprocessor, the default data_preprocessor.
import { DetDataPreprocessor } from '../data-preprocessors/det-data-preprocessor.js';
import { denseTestCfgSchema, denseTrainCfgSchema } from '../dense-heads/dense-head-cfg.js';

/**
 * Options of a one-stage detector, validated; every nested node is checked against its class's schema.
 *
 * @example
 * singleStageDetectorSchema.parse({ backbone: { type: 'ResNet', depth: 18 }, bbox_head: { type: 'ATSSHead', num_classes: 3, in_channels: 512 } });
 */
export const singleStageDetectorSchema = z.strictObject({
  data_preprocessor: ref(MODELS).default({ type: DetDataPreprocessor.name }),
  backbone: ref(MODELS),
  /** null or absent: the head reads the backbone's outputs directly. */
  neck: ref(MODELS).nullable().default(null),
  bbox_head: ref(MODELS),
  train_cfg: denseTrainCfgSchema.nullable().default(null),
  test_cfg: denseTestCfgSchema.nullable().default(null),
  init_cfg: initCfgSchema.optional(),
});

/**
 * Options of `SingleStageDetector`, keys as in MMDetection configs.
 *
 * @example
 * const options: SingleStageDetectorOptions = { backbone: { type: 'ResNet', depth: 50 }, bbox_head: { type: 'ATSSHead', num_classes: 80, in_channels: 2048 } };
 */
export type SingleStageDetectorOptions = z.input<typeof singleStageDetectorSchema>;

/**
 * What a detector needs of a dense head: mmdet's `loss`, `predict` and `forward` on a list of feature maps.
 *
 * @example
 * const head = MODELS.build<DetHead>({ type: 'ATSSHead', num_classes: 3, in_channels: 64 });
 */
export interface DetHead extends Module {
  forward(feats: readonly tf.Tensor4D[]): tf.TensorContainer;
  loss(feats: readonly tf.Tensor4D[], dataSamples: readonly DetDataSample[]): Record<string, tf.Scalar>;
  predict(feats: readonly tf.Tensor4D[], dataSamples: readonly DetDataSample[], options: { rescale?: boolean }): Promise<DetPrediction[]>;
}

/** A backbone: image [N, H, W, 3] → feature maps, finest first. */
type Backbone = Module & { forward(x: tf.Tensor4D): tf.Tensor4D[] };
/** A neck: feature maps → feature maps. */
type Neck = Module & { forward(xs: readonly tf.Tensor4D[]): tf.Tensor4D[] };

/**
 * Backbone + neck + dense head; see the file comment. Subclasses (`ATSS`) register under their mmdet names.
 *
 * @example
 * const detector = MODELS.build<SingleStageDetector>(cfg.model, { path: 'model' });
 * await detector.initWeights();
 * const losses = detector.loss(batch); // { loss_cls, loss_bbox, loss_centerness }
 */
@MODELS.register({ name: 'SingleStageDetector', schema: singleStageDetectorSchema, description: 'Backbone + neck + dense head (mmdet SingleStageDetector).' })
export class SingleStageDetector extends Module {
  readonly options: z.output<typeof singleStageDetectorSchema>;
  readonly dataPreprocessor: DetDataPreprocessor;
  readonly backbone: Backbone;
  readonly neck: Neck | undefined;
  readonly bboxHead: DetHead;

  constructor(options: SingleStageDetectorOptions) {
    super();
    const o = (this.options = singleStageDetectorSchema.parse(options));
    this.initCfg = o.init_cfg;
    // Paths are the usual ones; the whole config was validated (with its real paths) before this runs.
    this.dataPreprocessor = this.registerModule('data_preprocessor', MODELS.build<DetDataPreprocessor>(o.data_preprocessor, { path: 'model.data_preprocessor' }));
    this.backbone = this.registerModule('backbone', MODELS.build<Backbone>(o.backbone, { path: 'model.backbone' }));
    this.neck = o.neck ? this.registerModule('neck', MODELS.build<Neck>(o.neck, { path: 'model.neck' })) : undefined;
    const head = { ...o.bbox_head, train_cfg: o.train_cfg, test_cfg: o.test_cfg };
    this.bboxHead = this.registerModule('bbox_head', MODELS.build<DetHead>(head, { path: 'model.bbox_head' }));
  }

  /** Applies every `init_cfg` of the model (heads' Normal init, Pretrained backbones, ...); see tensor's `initWeights`. */
  initWeights(): Promise<PretrainedReport[]> {
    return initWeights(this);
  }

  /** Padded batch [N, H, W, 3] → the neck's (or backbone's) feature maps, finest first. */
  extractFeat(inputs: tf.Tensor4D): tf.Tensor4D[] {
    return tf.tidy(() => {
      const feats = this.backbone.forward(inputs); // [N, H/s, W/s, C_s] per stage
      return this.neck ? this.neck.forward(feats) : feats; // [N, H_l, W_l, C] per level
    });
  }

  /** The head's named losses for a training batch (preprocessing included); scalars the caller disposes. */
  loss(batch: DetBatch): Record<string, tf.Scalar> {
    return tf.tidy(() => {
      const { inputs, data_samples: dataSamples } = this.dataPreprocessor.forward(batch); // inputs [N, H, W, 3]
      return this.bboxHead.loss(this.extractFeat(inputs), dataSamples);
    });
  }

  /** Detections per image; with `rescale` (the default, as mmdet's) in `ori_shape` pixels, else in `img_shape` pixels. */
  async predict(batch: DetBatch, { rescale = true }: { rescale?: boolean } = {}): Promise<DetPrediction[]> {
    const { feats, dataSamples } = this.preprocessAndExtract(batch);
    try {
      return await this.bboxHead.predict(feats, dataSamples, { rescale });
    } finally {
      tf.dispose(feats);
    }
  }

  /** The head's raw outputs for a batch (mmdet `_forward`): per-level NHWC tensors the caller disposes. */
  forwardTensor(batch: DetBatch): tf.TensorContainer {
    return tf.tidy(() => this.bboxHead.forward(this.preprocessAndExtract(batch).feats));
  }

  private preprocessAndExtract(batch: DetBatch): { feats: tf.Tensor4D[]; dataSamples: DetDataSample[] } {
    const { inputs, data_samples: dataSamples } = this.dataPreprocessor.forward(batch); // inputs [N, H, W, 3]
    const feats = this.extractFeat(inputs);
    inputs.dispose();
    return { feats, dataSamples };
  }
}
