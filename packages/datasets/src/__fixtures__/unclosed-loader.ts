/**
 * Run as a process by data-loader.test.ts: one epoch with persistent workers that are never closed. The
 * process must still exit by itself once the epoch is done (idle workers are unref'd).
 */
import '../index.js';
import { DataLoader } from '../loader/data-loader.js';
import { writeCocoFixture } from './images.js';

const root = await writeCocoFixture([1, 2, 3].map((id) => ({ id, width: 8, height: 6, anns: [{ bbox: [0, 0, 4, 4], category_id: 1 }] })));
const loader = new DataLoader({
  dataset: { type: 'CocoDataset', data_root: root, ann_file: 'annotations/ann.json', data_prefix: { img: 'images/' }, pipeline: [{ type: 'LoadImageFromFile' }, { type: 'PackDetInputs' }] },
  batch_size: 2,
  num_workers: 2,
  persistent_workers: true,
});
let images = 0;
for await (const batch of loader) images += batch.inputs.length;
console.log(`done ${images}`);
