/**
 * `HistoryBuffer`: the recent values of one logged scalar, as MMEngine's `mmengine/logging/history_buffer.py`.
 *
 * Each update stores a value and a count (a value may stand for a batch of several samples); `mean(window)`
 * is the count-weighted mean of the last `window` updates, which is what log lines print. Only the last
 * `maxLength` updates are kept (1000, as MMEngine).
 *
 * @example
 * const loss = new HistoryBuffer();
 * loss.update(0.9); loss.update(0.7);
 * loss.mean(2); // 0.8
 */

/** What `HistoryBuffer.stateDict` returns: the kept values and counts, oldest first. */
export interface HistoryBufferState {
  values: number[];
  counts: number[];
}

/** The recent values of one scalar; see the file comment. */
export class HistoryBuffer {
  private values: number[] = [];
  private counts: number[] = [];

  constructor(readonly maxLength = 1000) {}

  /** Number of values kept. */
  get length(): number {
    return Math.min(this.values.length, this.maxLength);
  }

  /** Adds one value that stands for `count` samples. */
  update(value: number, count = 1): void {
    this.values.push(value);
    this.counts.push(count);
    // Trimming only at twice the length keeps updates O(1) amortised; reads look at the last maxLength.
    if (this.values.length >= 2 * this.maxLength) {
      this.values = this.values.slice(-this.maxLength);
      this.counts = this.counts.slice(-this.maxLength);
    }
  }

  /** The latest value; NaN when empty. */
  current(): number {
    return this.values.length === 0 ? Number.NaN : this.values[this.values.length - 1];
  }

  /** Count-weighted mean of the last `window` values (all kept values by default); NaN when empty. */
  mean(window = this.maxLength): number {
    const start = Math.max(this.values.length - Math.min(window, this.maxLength), 0);
    let sum = 0;
    let count = 0;
    for (let i = start; i < this.values.length; i++) {
      sum += this.values[i] * this.counts[i];
      count += this.counts[i];
    }
    return count === 0 ? Number.NaN : sum / count;
  }

  /** Smallest of the last `window` values; NaN when empty. */
  min(window = this.maxLength): number {
    const recent = this.recent(window);
    return recent.length === 0 ? Number.NaN : Math.min(...recent);
  }

  /** Largest of the last `window` values; NaN when empty. */
  max(window = this.maxLength): number {
    const recent = this.recent(window);
    return recent.length === 0 ? Number.NaN : Math.max(...recent);
  }

  /** The kept values, oldest first (a copy). */
  data(): number[] {
    return this.recent(this.maxLength);
  }

  /** The kept values and counts, for checkpoints. */
  stateDict(): HistoryBufferState {
    return { values: this.recent(this.maxLength), counts: this.counts.slice(-this.maxLength) };
  }

  /** Replaces the contents with a saved state. */
  loadStateDict(state: HistoryBufferState): void {
    this.values = [...state.values];
    this.counts = [...state.counts];
  }

  private recent(window: number): number[] {
    return this.values.slice(-Math.min(window, this.maxLength));
  }
}
