/**
 * A one-line progress bar for terminals, redrawn in place at most every `minIntervalMs` (10 per second by
 * default, so even a fast loop spends next to nothing on it). Log lines go above it: `clear()`, write the
 * line, `redraw()`.
 *
 * @example
 * const bar = new ProgressBar(process.stdout);
 * if (bar.due()) bar.render(50, 200, 'Epoch 1/12', 'eta 0:01:23  loss 0.5432');
 * bar.done();
 */
import { performance } from 'node:perf_hooks';

/** What the bar writes to: a terminal stream. */
export interface BarStream {
  write(text: string): unknown;
  readonly columns?: number;
}

const CLEAR_LINE = '\r\x1b[2K';

/** The bar; see the file comment. */
export class ProgressBar {
  private lastRender = -Infinity;
  private text = '';

  constructor(
    private readonly stream: BarStream,
    private readonly minIntervalMs = 100,
  ) {}

  /** Whether a render now would be drawn; check it before building an expensive suffix. */
  due(): boolean {
    return performance.now() - this.lastRender >= this.minIntervalMs;
  }

  /** Draws `prefix [█████░░░░░] done/total suffix`, cut to the terminal's width. */
  render(done: number, total: number, prefix: string, suffix: string): void {
    this.lastRender = performance.now();
    const fraction = total > 0 ? Math.min(done / total, 1) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const line = `${prefix} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} ${suffix}`;
    this.text = line.slice(0, Math.max((this.stream.columns ?? 120) - 1, 20));
    this.stream.write(`${CLEAR_LINE}${this.text}`);
  }

  /** Erases the bar (before a log line is written). */
  clear(): void {
    if (this.text) this.stream.write(CLEAR_LINE);
  }

  /** Draws the last bar again (after a log line). */
  redraw(): void {
    if (this.text) this.stream.write(`${CLEAR_LINE}${this.text}`);
  }

  /** Ends the bar's line, leaving the last state visible. */
  done(): void {
    if (this.text) this.stream.write('\n');
    this.text = '';
    this.lastRender = -Infinity;
  }
}
