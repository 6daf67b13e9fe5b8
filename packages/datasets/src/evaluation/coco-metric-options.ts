/**
 * Options of `CocoMetric`, keys and defaults as mmdet's `CocoMetric.__init__`
 * (`mmdet/evaluation/metrics/coco_metric.py`), checked before evaluation starts.
 */
import { z } from 'zod';

/**
 * The names `metric_items` accepts, with the index of each in the 12 COCO stats (mmdet's `coco_metric_names`).
 * The AR names assume mmdet's `proposal_nums` (100, 300, 1000): AR@100 is stats[6] whatever proposal_nums is.
 *
 * @example
 * COCO_METRIC_ITEMS['mAP_50']; // 1
 */
export const COCO_METRIC_ITEMS = {
  mAP: 0,
  mAP_50: 1,
  mAP_75: 2,
  mAP_s: 3,
  mAP_m: 4,
  mAP_l: 5,
  'AR@100': 6,
  'AR@300': 7,
  'AR@1000': 8,
  'AR_s@1000': 9,
  'AR_m@1000': 10,
  'AR_l@1000': 11,
} as const;

/**
 * One name of `COCO_METRIC_ITEMS`.
 *
 * @example
 * const item: CocoMetricItem = 'AR@100';
 */
export type CocoMetricItem = keyof typeof COCO_METRIC_ITEMS;

const ITEM_NAMES = Object.keys(COCO_METRIC_ITEMS) as [CocoMetricItem, ...CocoMetricItem[]];
/** mmdet's other metrics: known names detlab does not evaluate yet. */
const NOT_IMPLEMENTED = ['segm', 'proposal', 'proposal_fast'];

/**
 * Schema of `CocoMetric`'s options; the registry applies it on build, the constructor on direct use.
 *
 * @example
 * cocoMetricSchema.parse({ ann_file: 'data/coco/annotations/instances_val2017.json' }).proposal_nums; // [100, 300, 1000]
 */
export const cocoMetricSchema = z
  .strictObject({
    /** COCO JSON with the ground truth; without it, the ground truth comes from `setGroundTruth` or the samples. */
    ann_file: z.string().min(1).nullable().default(null),
    /** Only 'bbox' is evaluated. */
    metric: z.union([z.string(), z.array(z.string()).min(1)]).default('bbox'),
    /** Also log a per-category table and record `<category>_precision` values. */
    classwise: z.boolean().default(false),
    /** maxDets of the evaluation: mmdet's mAP uses the third, AR@100/300/1000 the first three. */
    proposal_nums: z.array(z.int().positive()).min(3).default([100, 300, 1000]),
    /** IoU thresholds; 0.50:0.05:0.95 when null. A single number means a list of one. */
    iou_thrs: z.union([z.number().gt(0).lte(1), z.array(z.number().gt(0).lte(1)).min(1)]).nullable().default(null),
    /** Which of the 12 numbers to record; null records all 12 (mmdet records only the six mAP items). */
    metric_items: z.array(z.enum(ITEM_NAMES)).min(1).nullable().default(null),
    /** Only write `<outfile_prefix>.bbox.json` (for the COCO test server) and return no numbers. */
    format_only: z.boolean().default(false),
    /** Path and file-name prefix of the written results, e.g. 'work_dirs/atss/results'. */
    outfile_prefix: z.string().min(1).nullable().default(null),
    /** Removed in mmdet 3.0 (use backend_args); accepted only as null, as mmdet. */
    file_client_args: z.unknown().optional(),
    /** Storage backend options; detlab reads local files only, so these are accepted and unused. */
    backend_args: z.record(z.string(), z.unknown()).nullable().default(null),
    collect_device: z.enum(['cpu', 'gpu']).default('cpu'),
    /** Key prefix; 'coco' when null. */
    prefix: z.string().nullable().default(null),
    /** Sort the categories of `ann_file` by id before mapping labels to them (Objects365). */
    sort_categories: z.boolean().default(false),
    /** mmdet's multi-process evaluation switch; detlab's evaluation is fast enough single-threaded. */
    use_mp_eval: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    const metrics = Array.isArray(o.metric) ? o.metric : [o.metric];
    metrics.forEach((metric, i) => {
      if (metric === 'bbox') return;
      const path = Array.isArray(o.metric) ? ['metric', i] : ['metric'];
      const message = NOT_IMPLEMENTED.includes(metric)
        ? `'${metric}' is an mmdet metric that detlab does not evaluate yet; use metric: 'bbox' (box AP)`
        : `expected 'bbox' (mmdet also knows 'segm', 'proposal' and 'proposal_fast'), got '${metric}'`;
      ctx.addIssue({ code: 'custom', path, message });
    });
    if (o.file_client_args !== undefined && o.file_client_args !== null) {
      ctx.addIssue({ code: 'custom', path: ['file_client_args'], message: 'deprecated since mmdet 3.0: use backend_args instead' });
    }
    if (o.format_only && o.outfile_prefix === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['outfile_prefix'],
        message: 'required when format_only is true: the results file is written to <outfile_prefix>.bbox.json',
      });
    }
  });

/**
 * `CocoMetric` options as written in configs.
 *
 * @example
 * const options: CocoMetricOptions = { ann_file: 'data/mnist_det/annotations/val.json', classwise: true };
 */
export type CocoMetricOptions = z.input<typeof cocoMetricSchema>;

/**
 * `CocoMetric` options after validation, defaults filled in.
 *
 * @example
 * const resolved: CocoMetricConfig = cocoMetricSchema.parse({});
 */
export type CocoMetricConfig = z.output<typeof cocoMetricSchema>;
