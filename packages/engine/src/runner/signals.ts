/**
 * Graceful stop on SIGINT/SIGTERM: the first signal asks the run to finish its current iteration and save a
 * resumable checkpoint; a second one stops the process at once (the default action of that signal).
 *
 * The runner ends such a run by throwing `TrainingInterrupted`, whose `exitCode` (128 + signal number, as
 * shells report it) the trainer exits with; the library itself never calls `process.exit`.
 *
 * @example
 * const guard = new SignalGuard((signal) => (runner.interruptedBy = signal), logger);
 * guard.install();
 * try { await loop.run(); } finally { guard.uninstall(); }
 */
import { DetlabError, type Logger } from '@detlab/core';
import { constants } from 'node:os';

/** The signals a run stops on gracefully. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Listens for `STOP_SIGNALS` while installed; see the file comment. */
export class SignalGuard {
  private received: NodeJS.Signals | undefined;
  // One listener per signal, bound to its name: the name Node passes is not relied on.
  private readonly handlers = new Map(STOP_SIGNALS.map((signal) => [signal, () => this.onSignal(signal)]));

  constructor(
    private readonly onFirstSignal: (signal: NodeJS.Signals) => void,
    private readonly logger: Logger,
  ) {}

  /** Starts listening. */
  install(): void {
    for (const [signal, handler] of this.handlers) process.on(signal, handler);
  }

  /** Stops listening; the signals' default actions apply again. */
  uninstall(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.received) {
      this.logger.warn(`Received ${signal} again: stopping now, without a checkpoint`);
      this.uninstall();
      process.kill(process.pid, signal);
      return;
    }
    this.received = signal;
    this.logger.warn(`Received ${signal}: finishing the current iteration, then saving a checkpoint (send it again to stop at once)`);
    this.onFirstSignal(signal);
  }
}

/** Thrown by `Runner.train()` after a signal stopped training and a resumable checkpoint was written. */
export class TrainingInterrupted extends DetlabError {
  /** The exit status a process should end with: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM). */
  readonly exitCode: number;

  constructor(
    readonly signal: NodeJS.Signals,
    readonly checkpoint: string,
    readonly iter: number,
  ) {
    super(`Training stopped by ${signal} after iteration ${iter}; resumable checkpoint: ${checkpoint}`, {
      hint: 'Run again with --resume (resume: true) to continue from it.',
    });
    this.exitCode = 128 + (constants.signals[signal] ?? 1);
  }
}
