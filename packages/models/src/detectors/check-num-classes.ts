/**
 * The check that a model's heads predict as many classes as its datasets have: a `num_classes` of 80 with the
 * 10-class MNIST-Det would train, silently, a head whose extra 70 outputs only ever see negatives.
 *
 * It reads the resolved config as plain data, before anything is built: every `bbox_head.num_classes` under
 * `model` (a distillation teacher's too) against `metainfo.classes` of each `*_dataloader.dataset` (looking
 * through dataset wrappers' inner `dataset`). A dataset without `metainfo.classes` (one whose classes live in its
 * class, as CocoDataset's 80) is skipped.
 *
 * @example
 * assertNumClasses(config, 'configs/atss/atss_r18_tiny_mnistdet.ts');
 * // Config validation found 1 problem in ...: model.bbox_head.num_classes: expected 10, the number of
 * //   train_dataloader.dataset.metainfo.classes, got 80
 */
import { ConfigValidationError, isPlainObject, registerConfigCheck, type ValidationIssue } from '@detlab/core';

const DATALOADERS = ['train_dataloader', 'val_dataloader', 'test_dataloader'] as const;

// Part of every config validation once @detlab/models is imported (`trainer:validate-config`, `train`).
registerConfigCheck(checkNumClasses);

/**
 * Every head/dataset class-count mismatch in a resolved config, each at the head's `num_classes` path.
 *
 * @example
 * checkNumClasses({ model: { bbox_head: { num_classes: 3 } }, train_dataloader: { dataset: { metainfo: { classes: ['a', 'b'] } } } });
 * // [{ path: 'model.bbox_head.num_classes', message: 'expected 2, the number of train_dataloader.dataset.metainfo.classes, got 3' }]
 */
export function checkNumClasses(config: Record<string, unknown>): ValidationIssue[] {
  const datasets = DATALOADERS.flatMap((key) => {
    const found = datasetClasses(config[key], `${key}.dataset`);
    return found ? [found] : [];
  });
  const issues: ValidationIssue[] = [];
  for (const head of headsUnder(config.model, 'model')) {
    // One issue per head: the first dataset that disagrees names the expected count.
    const other = datasets.find((d) => d.classes.length !== head.numClasses);
    if (other) issues.push({ path: head.path, message: `expected ${other.classes.length}, the number of ${other.path}, got ${head.numClasses}` });
  }
  return issues;
}

/**
 * Throws a `ConfigValidationError` listing every mismatch `checkNumClasses` finds; `file` names the config.
 *
 * @example
 * assertNumClasses(cfg, cfg.filename);
 */
export function assertNumClasses(config: Record<string, unknown>, file?: string): void {
  const issues = checkNumClasses(config);
  if (issues.length > 0) throw new ConfigValidationError(issues, { file });
}

/** The classes of a dataloader's dataset (or of the dataset a wrapper holds), with their config path. */
function datasetClasses(dataloader: unknown, path: string): { path: string; classes: unknown[] } | undefined {
  let dataset = isPlainObject(dataloader) ? dataloader.dataset : undefined;
  let at = path;
  while (isPlainObject(dataset)) {
    const classes = isPlainObject(dataset.metainfo) ? dataset.metainfo.classes : undefined;
    if (Array.isArray(classes)) return { path: `${at}.metainfo.classes`, classes };
    dataset = dataset.dataset;
    at = `${at}.dataset`;
  }
  return undefined;
}

/** Every `bbox_head` with a numeric `num_classes` below `node`, depth first. */
function headsUnder(node: unknown, path: string): Array<{ path: string; numClasses: number }> {
  if (!isPlainObject(node)) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = `${path}.${key}`;
    if (key === 'bbox_head' && isPlainObject(value) && typeof value.num_classes === 'number') return [{ path: `${here}.num_classes`, numClasses: value.num_classes }];
    return headsUnder(value, here);
  });
}
