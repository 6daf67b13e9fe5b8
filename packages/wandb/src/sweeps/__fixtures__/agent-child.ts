/**
 * A sweep agent in its own process, for the store/agent tests: runs a grid sweep whose trials only sleep, and
 * appends `<agent> <trial> <resume>` to `<sweep dir>/ran.log` when each trial starts.
 *
 * node --import jiti/register agent-child.ts SWEEP_DIR AGENT MAX_TRIALS TRIAL_MS
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import '../methods/grid-search.js';
import { runAgent } from '../agent.js';
import { SweepStore } from '../sweep-store.js';

const [dir, agent, maxTrials, trialMs] = process.argv.slice(2);
const store = new SweepStore(dir);
const meta = await store.readMeta();
if (!meta) throw new Error(`no sweep in ${dir}`);
await runAgent({
  store,
  sweep: meta.sweep,
  agent,
  maxTrials: Number(maxTrials),
  logger: { info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m), debug: () => undefined } as never,
  runTrial: async (trial, { resume }) => {
    await appendFile(join(dir, 'ran.log'), `${agent} ${trial.name} ${resume}\n`);
    await new Promise((resolve) => setTimeout(resolve, Number(trialMs)));
    return { stopped: false };
  },
});
