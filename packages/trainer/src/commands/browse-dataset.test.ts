import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classColor } from '@detlab/engine';
import { describe, expect, it } from 'vitest';
import { GREY, readPixels, runCli, tempDir, writeDataset } from '../__fixtures__/pictures.js';

async function fixtureConfig(): Promise<{ root: string; config: string }> {
  const root = tempDir();
  const dataset = await writeDataset(root);
  const config = join(root, 'browse.json');
  writeFileSync(config, JSON.stringify({ train_dataloader: { batch_size: 2, dataset } }));
  return { root, config };
}

describe('browse-dataset', () => {
  it('tiles the pipeline outputs into a grid with each GT box drawn at its pixels in its class colour', async () => {
    const { root, config } = await fixtureConfig();
    const out = join(root, 'grid.png');
    const result = await runCli('browse-dataset', `--config=${config}`, '--n', '2', `--out=${out}`);
    expect(result.errors).toEqual([]);
    const png = await readPixels(out);
    // Two 64×48 cells side by side, 4-pixel gaps around them.
    expect([png.width, png.height]).toEqual([4 + 64 + 4 + 64 + 4, 4 + 48 + 4]);
    const [cell0, cell1] = [4, 4 + 64 + 4];
    expect(png.at(cell0 + 8, 4 + 18)).toEqual([...classColor(0)]); // a.png: cat, x1 = 8
    expect(png.at(cell0 + 27, 4 + 18)).toEqual([...classColor(0)]); // x2 - 1 = 27
    expect(png.at(cell0 + 6, 4 + 18)).toEqual([GREY, GREY, GREY]);
    expect(png.at(cell0 + 18, 4 + 28)).toEqual([GREY, GREY, GREY]); // below the box (y2 = 26); its label tab fills the inside
    expect(png.at(cell1 + 30, 4 + 25)).toEqual([...classColor(1)]); // b.png: dog, x1 = 30
    expect(png.at(cell1 + 42, 4 + 34)).toEqual([...classColor(1)]); // bottom edge, y2 - 1 = 34
    expect(png.at(cell1 + 28, 4 + 25)).toEqual([GREY, GREY, GREY]);
  });

  it('rejects a --n that is not a positive whole number', async () => {
    const { config } = await fixtureConfig();
    const result = await runCli('browse-dataset', `--config=${config}`, '--n', 'lots');
    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain("--n: expected a whole number ≥ 1, got 'lots'");
  });
});
