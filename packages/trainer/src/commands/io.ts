import type { Logger } from '@detlab/core';

/** Where a command writes: data to stdout, messages through the run's logger. */
export interface CommandIO {
  stdout(text: string): void;
  logger: Logger;
  /** Whether stdout is a terminal (colour, progress bars). */
  isTTY: boolean;
}
