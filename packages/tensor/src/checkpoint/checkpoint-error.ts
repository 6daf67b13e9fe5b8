/**
 * The error every checkpoint problem ends in: a corrupt or foreign safetensors file, a missing file, keys or
 * shapes that do not fit the model. The message starts with the file when it is known, so the trainer's one-line
 * report says which checkpoint to look at.
 */
import { DetlabError, type DetlabErrorOptions } from '@detlab/core';

/** Options of a `CheckpointError`. */
export interface CheckpointErrorOptions extends DetlabErrorOptions {
  /** The checkpoint file, when known; it prefixes the message. */
  file?: string;
}

/** A checkpoint could not be read, written or loaded into a model. */
export class CheckpointError extends DetlabError {
  /** The checkpoint file, when known. */
  readonly file?: string;

  constructor(message: string, options: CheckpointErrorOptions = {}) {
    super(options.file ? `${options.file}: ${message}` : message, options);
    this.file = options.file;
  }
}
