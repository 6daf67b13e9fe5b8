/**
 * The sweep agent: W&B's `wandb agent` loop run locally (reference/wandb.md §8, §11). Repeatedly, under the
 * sweep lock: resume an orphaned trial if there is one (see `sweep-store.ts`), else stop if the sweep is done
 * (`maxTrials`, `run_cap`, `metric.target`, an exhausted grid), else ask the search method for the next
 * parameters and create the trial; then, without the lock, run it and record how it ended.
 *
 * Any number of agents, in one process or many, on one machine or several sharing the folder, may run the same
 * sweep; the lock and the exclusive record creation keep them from running a trial twice.
 *
 * Three failed trials in a row end the agent (W&B's flapping guard): a broken config should fail fast, not
 * fill the sweep with failed trials. A trial interrupted by a signal is marked `interrupted` and the agent
 * rethrows, so that Ctrl-C ends the sweep and the next run resumes that trial.
 *
 * @example
 * await runAgent({ store, sweep, maxTrials: 4, runTrial: async (trial, { resume }) => ({ stopped: false }) });
 */
import { ConsoleLogger, DetlabError, type Logger } from '@detlab/core';
import { randomBytes } from 'node:crypto';
import { buildSweepMethod, type TrialView } from './methods/sweep-method.js';
import { createRng, type Rng } from './rng.js';
import type { SweepConfig } from './sweep-config.js';
import { currentOwner, type SweepStore } from './sweep-store.js';
import { bestValue, metricValues, type TrialRecord } from './trial.js';

/** Consecutive failed trials after which an agent gives up. */
export const MAX_CONSECUTIVE_FAILURES = 3;

/** How a trial's training ended. */
export interface TrialOutcome {
  /** Hyperband stopped it (it still ended cleanly, with its checkpoint). */
  stopped: boolean;
}

/** Options of `runAgent`. */
export interface AgentOptions {
  store: SweepStore;
  sweep: SweepConfig;
  /** Trains one trial; `resume` when it continues an orphaned trial from its checkpoint. */
  runTrial(trial: TrialRecord, context: { resume: boolean; agent: string }): Promise<TrialOutcome>;
  /** The sweep ends when it has this many trials (the CLI's `--count`); `run_cap` also caps it. */
  maxTrials?: number;
  /** This agent's name in trial records (default: `agent-<random>`). */
  agent?: string;
  /** Seeds the search method's random numbers (suggestions differ per agent anyway: each has its own stream). */
  seed?: number;
  logger?: Logger;
}

/** What one agent did. */
export interface AgentSummary {
  agent: string;
  /** Trials this agent ran (resumed ones included), by name. */
  ran: string[];
  /** Why it ended. */
  reason: string;
}

/** Runs trials until the sweep is done; see the file comment. */
export async function runAgent(options: AgentOptions): Promise<AgentSummary> {
  const { store, sweep } = options;
  const agent = options.agent ?? `agent-${randomBytes(3).toString('hex')}`;
  const logger = options.logger ?? new ConsoleLogger();
  const method = buildSweepMethod(sweep.method);
  const rng: Rng = createRng(options.seed);
  const owner = currentOwner(agent);
  const ran: string[] = [];
  let failures = 0;
  for (;;) {
    const claim = await store.withLock(async () => {
      const trials = await store.readTrials();
      for (const t of trials) {
        if (!(await store.isOrphaned(t))) continue;
        const record = await store.updateTrial(t.name, (r) => {
          r.state = 'running';
          r.owner = owner;
          r.attempts += 1;
        });
        return { record, resume: true as const };
      }
      const done = doneReason(sweep, trials, options.maxTrials);
      if (done) return { done };
      const suggestion = method.next(sweep, trials.map(trialView), rng);
      if (!suggestion) return { done: `method ${sweep.method} has no points left` };
      const record = await store.createTrial(suggestion.params, owner, suggestion.info);
      return { record, resume: false as const };
    }, owner);
    if ('done' in claim) return { agent, ran, reason: claim.done! };
    const { record, resume } = claim;
    ran.push(record.name);
    logger.info(`[sweep] ${agent}: ${resume ? 'resuming' : 'starting'} ${record.name} with ${JSON.stringify(record.params)}`);
    const stopHeartbeat = store.startHeartbeat(record.name);
    try {
      const outcome = await options.runTrial(record, { resume, agent });
      const final = await store.updateTrial(record.name, (r) => (r.state = outcome.stopped ? 'stopped' : 'finished'));
      const best = sweep.metric ? bestValue(final, sweep.metric.goal) : undefined;
      logger.info(`[sweep] ${record.name} ${final.state}${sweep.metric ? `: best ${sweep.metric.name} ${best ?? 'none'}` : ''}`);
      failures = 0;
    } catch (error) {
      const interrupted = typeof (error as { exitCode?: unknown })?.exitCode === 'number';
      await store.updateTrial(record.name, (r) => {
        r.state = interrupted ? 'interrupted' : 'failed';
        r.error = error instanceof Error ? error.message : String(error);
      });
      if (interrupted) {
        logger.warn(`[sweep] ${record.name} interrupted; run the same sweep command again to resume it from its checkpoint.`);
        throw error;
      }
      failures += 1;
      logger.error(`[sweep] ${record.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (failures >= MAX_CONSECUTIVE_FAILURES) {
        throw new DetlabError(`[sweep] ${agent} stopped after ${failures} failed trials in a row (the last: ${record.name})`, {
          cause: error,
          hint: `Read the errors above and the trial records in ${store.trialsDir}; a resumed sweep keeps the failed trials as failed.`,
        });
      }
    } finally {
      stopHeartbeat();
    }
  }
}

/** Why the sweep should not start another trial, or undefined. */
export function doneReason(sweep: SweepConfig, trials: readonly TrialRecord[], maxTrials?: number): string | undefined {
  if (maxTrials !== undefined && trials.length >= maxTrials) return `the sweep has its ${maxTrials} trials (--count)`;
  if (sweep.run_cap !== undefined && trials.length >= sweep.run_cap) return `the sweep reached run_cap ${sweep.run_cap}`;
  const { metric } = sweep;
  if (metric?.target !== undefined) {
    const reached = trials.find((t) => {
      const best = bestValue(t, metric.goal);
      return best !== undefined && (metric.goal === 'maximize' ? best >= metric.target! : best <= metric.target!);
    });
    if (reached) return `${reached.name} reached metric.target ${metric.target}`;
  }
  return undefined;
}

/** What search methods see of a record. */
export function trialView(record: TrialRecord): TrialView {
  return { name: record.name, state: record.state, params: record.params, history: metricValues(record) };
}
