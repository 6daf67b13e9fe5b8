/**
 * Log lines in MMEngine's format (its `LogProcessor`), so logs read the same and existing log parsers work:
 *
 * ```
 * Epoch(train)  [1][ 50/200]  lr: 1.0000e-02  eta: 0:06:41  time: 0.4136  data_time: 0.0070  memory: 337  loss: 1.0852  loss_cls: 0.5231
 * Iter(train) [  50/90000]  lr: 1.0000e-02  eta: 10:06:41  ...
 * Epoch(val) [1][10/10]    coco/bbox_mAP: 0.5120  data_time: 0.0031  time: 0.0512
 * ```
 *
 * @example
 * formatLogLine(epochHead('train', 1, 12, 49, 200), { lr: 0.01, loss: 0.53 }); // 'Epoch(train)  [1][ 50/200]  lr: 1.0000e-02  loss: 0.5300'
 */

/** `Epoch(mode) [e][ i/n]`: epoch `epoch` (1-based) right-aligned to `maxEpochs`, batch `batchIdx + 1` of `length`. */
export function epochHead(mode: string, epoch: number, maxEpochs: number, batchIdx: number, length: number): string {
  const epochText = `[${epoch}]`.padStart(String(maxEpochs).length + 2, ' ');
  return `Epoch(${mode}) ${epochText}[${String(batchIdx + 1).padStart(String(length).length)}/${length}]`;
}

/** `Iter(mode) [ i/n]`: iteration `iter` (1-based) of `maxIters`. */
export function iterHead(mode: string, iter: number, maxIters: number): string {
  return `Iter(${mode}) [${String(iter).padStart(String(maxIters).length)}/${maxIters}]`;
}

/** `head` then `key: value` pairs, two spaces apart; see `formatValue`. */
export function formatLogLine(head: string, values: Readonly<Record<string, number | string>>): string {
  const parts = Object.entries(values).map(([key, value]) => `${key}: ${typeof value === 'string' ? value : formatValue(key, value)}`);
  return [head, ...parts].join('  ');
}

/** A value as MMEngine prints it: learning rates in exponent form, `memory` as an integer, others with 4 decimals. */
export function formatValue(key: string, value: number): string {
  if (key.endsWith('lr')) return value.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
  if (key === 'memory') return String(Math.round(value));
  return value.toFixed(4);
}

/** Seconds as `H:MM:SS`, with `N day(s), ` in front past 24 hours (Python's `timedelta` text). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const total = Math.round(seconds);
  const days = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const clock = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return days > 0 ? `${days} day${days > 1 ? 's' : ''}, ${clock}` : clock;
}
