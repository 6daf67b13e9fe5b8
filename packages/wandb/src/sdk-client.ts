/**
 * `SdkClient`: one W&B run through `@wandb/sdk` 0.5.1, driven from a worker thread (`sdk-worker.ts` says why).
 *
 * Calls never throw and never wait on the network: `start` and `log` post a message and return. The first
 * failure of any kind (an HTTP answer ≥ 400, a refused connection, the worker crashing, no `started` within
 * `timeoutMs`, no `finished` within `timeoutMs` of `finish`) stops the worker, is handed to `onFailure` once,
 * and turns every later call into a no-op. `finish` resolves either way and says which.
 *
 * The worker is unref'd, so a run that is never finished cannot keep the process alive (the SDK itself
 * would, §9.8); `finish` refs it while it waits.
 *
 * @example
 * const client = new SdkClient({ onFailure: (reason) => logger.warn(reason) });
 * client.start({ id: 'a1b2c3d4', project: 'detlab', config: { lr: { value: 0.01 } } });
 * client.log({ loss: 0.5 }, 50);
 * const result = await client.finish(0); // { ok: true, url: 'https://wandb.ai/me/detlab/runs/a1b2c3d4' }
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { workerSource, type FromWorker, type SdkRunInit, type SdkSettings, type SdkWorkerData, type ToWorker } from './sdk-worker.js';

/** Options of `SdkClient`. */
export interface SdkClientOptions {
  /** Server and key; unset fields come from `WANDB_BASE_URL` / `WANDB_API_KEY` (then `~/.netrc`). */
  settings?: SdkSettings;
  /** How long starting the run, and finishing it, may each take (ms). Default 60 000. */
  timeoutMs?: number;
  /** Called once, with the reason, when the client gives up. */
  onFailure?(reason: string): void;
}

/** How a run ended: uploaded (with its page), or given up (with why). */
export type SdkFinishResult = { ok: true; url: string } | { ok: false; reason: string };

type State = 'idle' | 'starting' | 'running' | 'finishing' | 'done' | 'failed';

/** One W&B run in a worker thread; see the file comment. */
export class SdkClient {
  private state: State = 'idle';
  private worker: Worker | undefined;
  private timer: NodeJS.Timeout | undefined;
  private url = '';
  private failure = '';
  private settle: ((result: SdkFinishResult) => void) | undefined;
  private readonly output: string[] = [];
  private drained: (() => void) | undefined;

  constructor(private readonly options: SdkClientOptions = {}) {}

  /** The server this client talks to, for messages. */
  get baseUrl(): string {
    return this.options.settings?.baseUrl || process.env.WANDB_BASE_URL || 'https://api.wandb.ai';
  }

  /** Whether the client gave up (then every call is a no-op). */
  get failed(): boolean {
    return this.state === 'failed';
  }

  /** Starts the worker and the run; answers come later (see `finish`, `onFailure`). */
  start(init: SdkRunInit): void {
    if (this.state !== 'idle') return;
    this.state = 'starting';
    const workerData: SdkWorkerData = { sdkPath: createRequire(import.meta.url).resolve('@wandb/sdk') };
    const worker = new Worker(workerSource(), { eval: true, workerData, stdout: true, stderr: true });
    this.worker = worker;
    worker.unref();
    // The SDK's own console lines (retries, debug) would interleave with the progress bar: keep a tail for
    // crash messages instead.
    for (const stream of [worker.stdout, worker.stderr]) stream.on('data', (chunk: Buffer) => this.keepOutput(chunk));
    worker.on('message', (message: FromWorker) => this.onMessage(message));
    worker.on('error', (error) => this.fail(`the W&B worker crashed: ${error.message}${this.outputTail()}`));
    worker.on('exit', (code) => {
      if (this.state !== 'done') this.fail(`the W&B worker stopped (exit code ${code})${this.outputTail()}`);
    });
    this.arm('starting the run');
    this.post({ type: 'init', init, settings: this.options.settings ?? {} });
  }

  /** Sends one history row at `step`; steps must increase (the caller's job, see `WandbVisBackend`). */
  log(row: Record<string, unknown>, step: number): void {
    if (this.state === 'starting' || this.state === 'running') this.post({ type: 'log', row, step });
  }

  /**
   * Resolves once every row logged so far is in a file_stream post (or the client failed; at most
   * `timeoutMs`). The SDK's final flush sends one post of at most 10 000 rows and drops the rest (§9.3), so
   * a bulk upload drains after each chunk of rows.
   */
  drain(): Promise<void> {
    if (this.state !== 'starting' && this.state !== 'running') return Promise.resolve();
    return new Promise((resolve) => {
      this.drained = resolve;
      this.worker!.ref();
      this.arm('uploading rows', true);
      this.post({ type: 'drain' });
    });
  }

  /** Finishes the run with `exitCode` and waits (at most `timeoutMs`) for the last upload. */
  finish(exitCode = 0): Promise<SdkFinishResult> {
    if (this.state === 'failed') return Promise.resolve({ ok: false, reason: this.failure });
    if (this.state === 'done') return Promise.resolve({ ok: true, url: this.url });
    if (this.state === 'idle') return Promise.resolve({ ok: false, reason: 'the run was never started' });
    return new Promise((resolve) => {
      this.settle = resolve;
      if (this.state === 'finishing') return;
      this.state = 'finishing';
      this.worker!.ref();
      this.arm('finishing the run', true);
      this.post({ type: 'finish', exitCode });
    });
  }

  private onMessage(message: FromWorker): void {
    if (message.type === 'failed') return this.fail(message.reason);
    if (message.type === 'drained' && this.state === 'running') {
      clearTimeout(this.timer);
      this.worker!.unref();
      this.drained?.();
      this.drained = undefined;
      return;
    }
    if (message.type === 'started') {
      this.url = message.url;
      // When `finish` or `drain` came first, their own deadline is running: keep it.
      if (this.state === 'starting') {
        this.state = 'running';
        if (!this.drained) clearTimeout(this.timer);
      }
      return;
    }
    if (message.type === 'finished' && this.state === 'finishing') {
      this.state = 'done';
      this.stop();
      this.settle?.({ ok: true, url: this.url });
    }
  }

  private fail(reason: string): void {
    if (this.state === 'failed' || this.state === 'done') return;
    this.state = 'failed';
    this.failure = reason;
    this.stop();
    this.options.onFailure?.(reason);
    this.settle?.({ ok: false, reason });
    this.drained?.();
  }

  /** Stops the worker: every SDK timer and retry goes with it. */
  private stop(): void {
    clearTimeout(this.timer);
    void this.worker?.terminate();
  }

  /** A deadline for `what`; ref'd only while `finish` is awaited, so it never holds the process open alone. */
  private arm(what: string, ref = false): void {
    clearTimeout(this.timer);
    const ms = this.options.timeoutMs ?? 60_000;
    this.timer = setTimeout(() => this.fail(`${what} took longer than ${ms / 1000} s (${this.baseUrl} does not answer)`), ms);
    if (!ref) this.timer.unref();
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private keepOutput(chunk: Buffer): void {
    this.output.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    this.output.splice(0, Math.max(0, this.output.length - 5));
  }

  private outputTail(): string {
    return this.output.length ? `; its last output:\n${this.output.join('\n')}` : '';
  }
}

