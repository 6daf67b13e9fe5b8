import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { resolveModule, runModuleSync, startModuleWorker } from './module-worker.js';

const echo = new URL('./__fixtures__/echo-task.js', import.meta.url);

describe('runModuleSync', { timeout: 60_000 }, () => {
  it('runs a TypeScript module with decorators and workspace imports in a worker, synchronously', () => {
    expect(runModuleSync(echo, { value: 21 })).toEqual({ doubled: 42, named: 'Doubler' });
  });

  it('rethrows the task’s error message', () => {
    expect(() => runModuleSync(echo, { value: 3, fail: true })).toThrow('asked to fail with 3');
  });
});

describe('startModuleWorker', { timeout: 60_000 }, () => {
  it('resolves a .js URL to its .ts source when only that exists', () => {
    expect(resolveModule(echo)).toEqual({ url: new URL('./__fixtures__/echo-task.ts', import.meta.url), source: true });
  });

  it('names the file when neither exists', () => {
    expect(() => resolveModule(new URL('./nope.js', import.meta.url))).toThrow(/Cannot start a worker: neither .*nope\.js nor its \.ts source exists/);
  });

  it('starts a worker from TypeScript sources that answers and exits on its own', async () => {
    const worker = startModuleWorker(new URL('./__fixtures__/hello-worker.js', import.meta.url), { workerData: [1, 2] });
    const [message] = await once(worker, 'message');
    expect(message).toBe('hello list [1,2]');
    const [code] = await once(worker, 'exit');
    expect(code).toBe(0);
  });
});
