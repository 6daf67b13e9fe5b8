/**
 * Worker side of `runModuleSync`: imports the module, awaits `run(input)`, posts the outcome on the port,
 * then wakes the blocked caller. Posting comes first, so the message is there when the caller wakes.
 */
import { workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';

interface SyncWorkerData {
  module: string;
  input: unknown;
  flag: Int32Array;
  port: MessagePort;
}

const { module, input, flag, port } = workerData as SyncWorkerData;
try {
  const imported = (await import(module)) as { run?: (input: unknown) => unknown };
  if (typeof imported.run !== 'function') throw new Error(`${module} exports no run(input) function`);
  port.postMessage({ ok: true, value: await imported.run(input) });
} catch (error) {
  port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
} finally {
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  port.close();
}
