/**
 * PNG images tiled into one PNG grid, row by row, on white: `browse-dataset`'s contact sheet.
 *
 * @example
 * const sheet = await imageGrid(pngs, { cols: 4 });
 */
import sharp from 'sharp';

/** Layout of `imageGrid`. */
export interface ImageGridOptions {
  /** Images per row; default ⌈√n⌉. */
  cols?: number;
  /** White pixels between cells and around the grid. Default 4. */
  gap?: number;
}

/** Tiles `pngs` into a grid; every cell is as large as the largest image, images sit at their cell's top-left. */
export async function imageGrid(pngs: readonly Buffer[], options: ImageGridOptions = {}): Promise<Buffer> {
  if (pngs.length === 0) throw new Error('imageGrid: no images to tile');
  const cols = Math.max(1, Math.min(pngs.length, options.cols ?? Math.ceil(Math.sqrt(pngs.length))));
  const rows = Math.ceil(pngs.length / cols);
  const gap = options.gap ?? 4;
  const sizes = await Promise.all(pngs.map((png) => sharp(png).metadata()));
  const cellW = Math.max(...sizes.map((s) => s.width ?? 0));
  const cellH = Math.max(...sizes.map((s) => s.height ?? 0));
  return sharp({ create: { width: cols * (cellW + gap) + gap, height: rows * (cellH + gap) + gap, channels: 3, background: '#ffffff' } })
    .composite(pngs.map((input, i) => ({ input, left: gap + (i % cols) * (cellW + gap), top: gap + Math.floor(i / cols) * (cellH + gap) })))
    .png()
    .toBuffer();
}
