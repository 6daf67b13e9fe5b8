import 'reflect-metadata';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, injectable, Lifecycle } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { ConsoleLogger, type Logger } from '../logging/logger.js';
import { FILE_ACCESS, LOGGER, RUN_CONTEXT, createRunContainer, rootContainer, type RunContext } from './container.js';
import type { FileAccess } from './file-access.js';

@injectable()
class CheckpointWriter {
  constructor(
    @inject(FILE_ACCESS) readonly files: FileAccess,
    @inject(LOGGER) readonly logger: Logger,
    @inject(RUN_CONTEXT) readonly context: RunContext,
  ) {}
}

class RecordingLogger extends ConsoleLogger {
  readonly lines: string[] = [];
  override info(message: string): void {
    this.lines.push(message);
  }
}

describe('run containers', () => {
  it('inject services and the run context into a class by token', () => {
    const run = createRunContainer({ config: { model: {} }, workDir: '/tmp/w' }, rootContainer.createChildContainer());
    const writer = run.resolve(CheckpointWriter);
    expect(writer.context.workDir).toBe('/tmp/w');
    expect(writer.logger).toBeInstanceOf(ConsoleLogger);
  });

  it('give each run its own logger and keep it for the whole run', () => {
    const parent = rootContainer.createChildContainer();
    const a = createRunContainer({ config: {} }, parent);
    const b = createRunContainer({ config: {} }, parent);
    expect(a.resolve(LOGGER)).toBe(a.resolve(LOGGER));
    expect(a.resolve(LOGGER)).not.toBe(b.resolve(LOGGER));
  });

  it('use a service a plugin registered on the parent container instead of the default', () => {
    const parent = rootContainer.createChildContainer();
    parent.register(LOGGER, { useClass: RecordingLogger }, { lifecycle: Lifecycle.ContainerScoped });
    const run = createRunContainer({ config: {} }, parent);
    const writer = run.resolve(CheckpointWriter);
    expect(writer.logger).toBeInstanceOf(RecordingLogger);
    writer.logger.info('saved');
    expect((writer.logger as RecordingLogger).lines).toEqual(['saved']);
  });
});

describe('NodeFileAccess.writeAtomic', () => {
  it('writes the whole file, creates folders and leaves no temporary file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'detlab-files-'));
    const files = createRunContainer({ config: {} }, rootContainer.createChildContainer()).resolve(FILE_ACCESS);
    const target = join(dir, 'nested', 'epoch_1.json');
    await files.writeAtomic(target, '{"a":1}');
    await files.writeAtomic(target, '{"a":2}');
    expect(await readFile(target, 'utf8')).toBe('{"a":2}');
    expect(await readdir(join(dir, 'nested'))).toEqual(['epoch_1.json']);
    expect(await files.exists(join(dir, 'missing'))).toBe(false);
  });
});
