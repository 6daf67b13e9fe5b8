/**
 * Chooses and initialises the TensorFlow.js backend, and installs detlab's kernel fixes.
 *
 * `auto` tries tensorflow-gpu, tensorflow, webgpu, then wasm, and reports why it skipped each one that could
 * not load (usually: its optional package is not installed). An explicit choice that cannot load throws a
 * `DetlabError` naming the package and how to install it. Call it once before building a model:
 *
 * ```ts
 * const report = await initBackend('auto', logger); // report.name === 'wasm' on a machine without extras
 * ```
 */
// tfjs-core's Node build registers no gradients (its register_all_gradients.js is ESM with extensionless
// imports, which Node cannot load); the union package's Node bundle registers them all, with the optimizers
// and chained ops. Without it every tf.grad fails with "gradient function not found".
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu'; // registers 'cpu'
import '@tensorflow/tfjs-backend-wasm'; // registers 'wasm'
import * as tf from '@tensorflow/tfjs-core';
import { DetlabError, didYouMean, type Logger } from '@detlab/core';
import { loadOneDnn } from '@detlab/onednn';
import { useOneDnn, type OneDnnStatus } from '../kernels/onednn-conv.js';
import { registerKernelFixes } from '../kernels/register-kernel-fixes.js';
import { BACKEND_CHOICES, candidateFor, type BackendCandidate, type BackendChoice } from './candidates.js';
import { firstLine, isInstalled } from './optional-packages.js';
import { requestWasmThreads, resolveThreads, wasmThreadsCount, type ThreadsOption } from './wasm-threads.js';

export type { BackendChoice } from './candidates.js';

/** A backend `initBackend` did not use, and why. */
export interface SkippedBackend {
  name: Exclude<BackendChoice, 'auto'>;
  reason: string;
}

/** What `initBackend` did. */
export interface BackendReport {
  /** The active tfjs backend (`tf.getBackend()`); 'tensorflow' for both tfjs-node packages. */
  name: string;
  /** What was asked for. */
  requested: BackendChoice;
  /** Backends tried before `name`, in order, with the reason each was passed over. */
  skipped: SkippedBackend[];
  /** Threads of the wasm backend's XNNPACK pool (1 on other backends, which manage their own threads). */
  threads: number;
  /** Whether the wasm backend's convolutions run on oneDNN (`@detlab/onednn`), and if not, why not. */
  onednn: OneDnnStatus;
}

/** A selection as `select` makes it; the oneDNN status is added per call, since each call may switch it. */
type Selection = Omit<BackendReport, 'onednn'>;

/** A selection, whether it was made just now (and is logged), and what its backend runs on for the log line. */
interface Selected {
  selection: Selection;
  fresh: boolean;
  detail?: string;
}

/** How the chosen backend runs. */
export interface BackendOptions {
  /**
   * Threads for the wasm backend's convolutions and matMuls (`env_cfg.num_threads`): 'auto' is one per core.
   * Fixed when wasm first initialises in a process; default 1. Where oneDNN runs the convolutions, these are
   * oneDNN's threads, and wasm keeps one.
   */
  threads?: ThreadsOption;
  /**
   * Run the wasm backend's convolutions on oneDNN when its addon is built (`env_cfg.onednn`); default true.
   * False keeps them on wasm's own kernels, e.g. to compare the two.
   */
  onednn?: boolean;
}

/** What `auto` tries, fastest first. `cpu` is left out: it is about 200× slower than wasm for conv training. */
const AUTO_ORDER = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm'] as const;

/** The last selection, reused while tfjs is still on that backend. */
let last: Selection | undefined;
/** The selection in progress: calls queue behind it so that two never race `tf.setBackend`. */
let pending: Promise<unknown> = Promise.resolve();

/**
 * Makes `choice` the active tfjs backend and registers detlab's kernel fixes (`registerKernelFixes`).
 *
 * Idempotent and cheap when tfjs is already on the backend this choice selected: the earlier report is returned.
 * Logs one line naming the active backend and why any other was skipped.
 *
 * @throws DetlabError for an unknown choice, for an explicit choice that cannot load (with the install
 *   command), and for `auto` when not even wasm initialises.
 */
export async function initBackend(choice: BackendChoice = 'auto', logger?: Logger, options: BackendOptions = {}): Promise<BackendReport> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new DetlabError(
      `backend: expected one of ${BACKEND_CHOICES.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(choice)}.` +
        didYouMean(String(choice), BACKEND_CHOICES),
    );
  }
  registerKernelFixes();
  const threads = resolveThreads(options.threads ?? 1);
  const native = (options.onednn ?? true) && loadOneDnn().ok;
  // With oneDNN, the convolutions and BatchNorm (nearly all of a step's parallel work) run on OpenMP's threads;
  // a threaded wasm build would spin its own pool on the same cores after each of its kernels, slowing oneDNN's
  // (2 threads: BatchNorm 4.5× slower, measured), so wasm stays on one thread and oneDNN gets the count.
  const wasmThreads = native ? 1 : threads;
  if (!requestWasmThreads(wasmThreads) && (choice === 'wasm' || tf.getBackend() === 'wasm')) {
    logger?.warn(
      `env_cfg.num_threads: the wasm backend already runs on ${wasmThreadsCount()} thread(s) in this process; ` +
        `${wasmThreads} takes effect in a new process.`,
    );
  }
  const reused = reuse(choice);
  const { selection, fresh, detail } = reused !== undefined ? { selection: reused, fresh: false } : await queue(choice);
  // Every call may switch oneDNN on or off (a benchmark compares the two), so this is not part of the reuse.
  const onednn: OneDnnStatus = selection.name === 'wasm'
    ? useOneDnn(options.onednn ?? true, threads)
    : { active: false, reason: `the backend is ${selection.name}, not wasm` };
  const report: BackendReport = { ...selection, skipped: [...selection.skipped], onednn };
  if (fresh) logger?.info(describeSelection(report, detail));
  return report;
}

/** Runs `select` after any selection in progress, unless that one already selected for this choice. */
function queue(choice: BackendChoice): Promise<Selected> {
  const run = pending.catch(() => undefined).then(() => {
    const reused = reuse(choice);
    return reused !== undefined ? { selection: reused, fresh: false } : select(choice);
  });
  pending = run;
  return run;
}

/** The earlier report when tfjs is still on the backend it selected for this choice. */
function reuse(choice: BackendChoice): Selection | undefined {
  const active = tf.getBackend();
  if (last?.requested === choice && last.name === active && isInitialized(active)) {
    return { ...last, skipped: [...last.skipped], threads: threadsOf(active) };
  }
  return undefined;
}

async function select(choice: BackendChoice): Promise<Selected> {
  const previous = tf.getBackend();
  const explicit = choice !== 'auto';
  const candidates = explicit ? [candidateFor(choice)] : AUTO_ORDER.map(candidateFor);
  const skipped: SkippedBackend[] = [];
  for (const candidate of candidates) {
    const outcome = await activate(candidate, explicit);
    if (outcome.skip === undefined) {
      last = { name: tf.getBackend(), requested: choice, skipped, threads: threadsOf(tf.getBackend()) };
      return { selection: { ...last, skipped: [...skipped] }, fresh: true, detail: outcome.detail };
    }
    skipped.push({ name: candidate.choice, reason: outcome.skip });
  }

  // tf.setBackend leaves a failed backend's name active; go back to what was working.
  if (previous != null && previous !== tf.getBackend() && isInitialized(previous)) {
    await tf.setBackend(previous);
  }
  if (explicit) {
    throw new DetlabError(`Backend '${choice}' is not available: ${skipped[0]?.reason}.`, { hint: candidateFor(choice).hint });
  }
  throw new DetlabError(`No TensorFlow.js backend could be initialised for 'auto': ${listSkipped(skipped)}.`, {
    hint: candidateFor('wasm').hint,
  });
}

/** Loads and activates one backend: why it cannot be used (`skip`), or what it runs on once active. */
async function activate(candidate: BackendCandidate, explicit: boolean): Promise<{ skip?: string; detail?: string }> {
  const missing = candidate.packages.filter((p) => !isInstalled(p.name));
  if (missing.length > 0) return { skip: missing.map((p) => `${p.name} is not installed (${p.note})`).join('; ') };
  let loaded: { skip?: string; detail?: string };
  try {
    loaded = await candidate.load(explicit);
  } catch (error) {
    return { skip: `${candidate.packages[0]?.name ?? candidate.tfjsName} failed to load: ${firstLine(error)}` };
  }
  if (loaded.skip !== undefined) return loaded;
  if (tf.findBackendFactory(candidate.tfjsName) == null) {
    return { skip: `no tfjs backend named '${candidate.tfjsName}' is registered` };
  }
  try {
    if (!(await tf.setBackend(candidate.tfjsName))) return { skip: `tf.setBackend('${candidate.tfjsName}') failed` };
  } catch (error) {
    return { skip: `tf.setBackend('${candidate.tfjsName}') failed: ${firstLine(error)}` };
  }
  if (candidate.tfjsName === 'cpu') quietCpuAdvert();
  return { detail: loaded.detail };
}

function threadsOf(backendName: string): number {
  return backendName === 'wasm' ? wasmThreadsCount() : 1;
}

/** One log line: the active backend and what it runs on, what was requested, what was skipped and why. */
function describeSelection(report: BackendReport, detail: string | undefined): string {
  const parts = [
    detail,
    report.name === 'wasm' ? `${report.threads} thread${report.threads === 1 ? '' : 's'}` : undefined,
    report.name === 'wasm' ? describeOneDnn(report.onednn) : undefined,
  ];
  const on = parts.some((p) => p !== undefined) ? ` (${parts.filter((p) => p !== undefined).join(', ')})` : '';
  const skipped = report.skipped.length > 0 ? `; skipped ${listSkipped(report.skipped)}` : '';
  return `TensorFlow.js backend: ${report.name}${on}, requested '${report.requested}'${skipped}`;
}

function describeOneDnn(status: OneDnnStatus): string {
  return status.active
    ? `convolutions on oneDNN ${status.version}, ${status.threads} thread${status.threads === 1 ? '' : 's'}`
    : `convolutions on wasm kernels: ${status.reason}`;
}

function listSkipped(skipped: readonly SkippedBackend[]): string {
  return skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
}

/**
 * The cpu backend prints a banner on first use in Node advising tfjs-node, which cannot be installed today
 * (reference §2); our log line already says what the backend choice was, so the banner is switched off.
 */
function quietCpuAdvert(): void {
  const cpu = tf.engine().registry.cpu as { firstUse?: boolean } | undefined;
  if (cpu !== undefined && 'firstUse' in cpu) cpu.firstUse = false;
}

/**
 * Whether tfjs has an initialised backend `name`. Not `tf.findBackend`: that starts initialising a registered
 * backend, and while an async initialisation (wasm) is pending every tensor operation throws.
 */
function isInitialized(name: string): boolean {
  return tf.engine().registry[name] !== undefined;
}
