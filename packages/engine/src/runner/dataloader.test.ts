import { describe, expect, it } from 'vitest';
import { ToyLoader } from './__fixtures__/toy-run.js';
import { buildDataloader, isDataloader } from './dataloader.js';

const context = { path: 'train_dataloader', seed: 3 };

describe('buildDataloader', () => {
  it('takes a dataloader object as it is', async () => {
    const loader = new ToyLoader();
    expect(isDataloader(loader)).toBe(true);
    expect(await buildDataloader(loader, context, undefined)).toBe(loader);
  });

  it('builds a config through the factory, passing the path and the seed', async () => {
    const seen: unknown[] = [];
    const loader = await buildDataloader({ batch_size: 2 }, context, (cfg, ctx) => (seen.push(cfg, ctx), new ToyLoader(1, 2)));
    expect(loader.length).toBe(1);
    expect(seen).toEqual([{ batch_size: 2 }, context]);
  });

  it('says how to provide a factory when there is none, and rejects what is neither', async () => {
    await expect(buildDataloader({ batch_size: 2 }, context, undefined)).rejects.toThrow(/train_dataloader: no dataloader factory is registered to build it\n.*DATALOADER_FACTORY/);
    await expect(buildDataloader(3, context, undefined)).rejects.toThrow('train_dataloader: expected a dataloader config (batch_size, sampler, dataset) or a dataloader, got');
    await expect(buildDataloader({}, context, () => ({}) as never)).rejects.toThrow('the dataloader factory returned');
  });
});
