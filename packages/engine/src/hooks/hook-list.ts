/**
 * `HookList`: the runner's hooks in calling order, and the one place that calls them.
 *
 * Registration is stable, as MMEngine's `Runner.register_hook`: a new hook goes after the last hook whose
 * priority is lower than or equal to its own, so equal priorities keep registration order. Each hook point
 * keeps its own list of the hooks that override it, so an iteration pays only for hooks that do something.
 *
 * @example
 * const hooks = new HookList();
 * hooks.register(new CheckpointHook({ interval: 1 }));
 * hooks.register(new RuntimeInfoHook()); // VERY_HIGH: placed first
 * await hooks.call('beforeTrain', runner);
 */
import { DetlabError } from '@detlab/core';
import { Hook, HOOK_STAGES, hookName, triggeredStages, type HookArgs, type HookStage } from './hook.js';
import { getPriority, PRIORITIES, type Priority } from './priority.js';
import type { Runner } from '../runner/runner.js';

type AnyHookMethod = (runner: Runner, ...args: unknown[]) => void | Promise<void>;

/** The runner's hooks, sorted stably by priority; see the file comment. */
export class HookList {
  private readonly ordered: Hook[] = [];
  private readonly byStage = new Map<HookStage, Hook[]>(HOOK_STAGES.map((stage) => [stage, []]));

  /** The hooks in calling order. */
  get hooks(): readonly Hook[] {
    return this.ordered;
  }

  /**
   * Adds `hook`; `priority`, when given, replaces the hook's own. Throws when `hook` is not a `Hook`.
   */
  register(hook: Hook, priority?: Priority): void {
    if (!(hook instanceof Hook)) {
      throw new DetlabError(`HookList.register: expected an instance of Hook, got ${describe(hook)}`, {
        hint: 'Hooks extend Hook from @detlab/engine and are registered in HOOKS.',
      });
    }
    if (priority !== undefined) hook.priority = getPriority(priority);
    let at = this.ordered.length;
    while (at > 0 && this.ordered[at - 1].priority > hook.priority) at -= 1;
    this.ordered.splice(at, 0, hook);
    for (const stage of triggeredStages(hook)) this.byStage.set(stage, this.ordered.filter((h) => triggeredStages(h).includes(stage)));
  }

  /** The first hook of class `type`, if any (for hooks that work together, and for tests). */
  find<H extends Hook>(type: abstract new (...args: never[]) => H): H | undefined {
    return this.ordered.find((h): h is H => h instanceof type);
  }

  /**
   * Calls `stage` on every hook that overrides it, in order, awaiting each. A failure other than a
   * `DetlabError` (which already says what went wrong) is wrapped with the hook's name and the stage.
   */
  async call<S extends HookStage>(stage: S, runner: Runner, ...args: HookArgs<S>): Promise<void> {
    for (const hook of this.byStage.get(stage)!) {
      try {
        const result = (hook[stage] as AnyHookMethod).call(hook, runner, ...args);
        // Awaiting only real promises keeps a synchronous hook free of a microtask per call.
        if (result) await result;
      } catch (error) {
        if (error instanceof DetlabError) throw error;
        throw new DetlabError(`[${hookName(hook)}] ${stage} failed: ${(error as Error)?.message ?? String(error)}`, {
          cause: error,
        });
      }
    }
  }

  /** A table of the hooks each stage calls, with priorities, as MMEngine logs at the start of a run. */
  describe(): string {
    const lines: string[] = [];
    for (const stage of HOOK_STAGES) {
      const hooks = this.byStage.get(stage)!;
      if (hooks.length === 0) continue;
      lines.push(`${stage}:`);
      for (const hook of hooks) lines.push(`(${priorityLabel(hook.priority).padEnd(12)}) ${hookName(hook)}`);
      lines.push('-'.repeat(40));
    }
    return lines.join('\n');
  }
}

/** `VERY_HIGH` for 10, the number itself for a value without a name. */
function priorityLabel(value: number): string {
  return Object.entries(PRIORITIES).find(([, v]) => v === value)?.[0] ?? String(value);
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
}
