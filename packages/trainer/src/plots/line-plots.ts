/**
 * Line plots of scalar logs: one small chart per key (losses and lr over iterations, val metrics over epochs),
 * two charts per row, every run overlaid in its own colour. Drawn with Vega-Lite, compiled to Vega and
 * rendered headless to SVG (`View.toSVG()`, no browser, no canvas); `svgToPng` rasterises with sharp (librsvg).
 * Text in the PNG needs a font fontconfig finds (Debian: `fonts-dejavu-core`).
 *
 * @example
 * const svg = await plotScalars([teacherLog, studentLog], ['loss', 'coco/bbox_mAP_50']);
 * await writeFile('curves.png', await svgToPng(svg));
 */
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ScalarLog } from './scalar-log.js';

/** Pixels of each chart's plotting area. */
export const CHART_SIZE = { width: 360, height: 200 } as const;

/** The Vega-Lite spec of the plots of `keys` in `logs`; keys logged by no run are left out by the caller. */
export function scalarPlotSpec(logs: readonly ScalarLog[], keys: readonly string[]): TopLevelSpec {
  const wanted = new Set(keys);
  const values = logs.flatMap((log) => log.points.filter((p) => wanted.has(p.key)));
  const runs = logs.map((log) => log.run);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    columns: Math.min(2, keys.length),
    concat: keys.map((key) => {
      const axis = values.find((p) => p.key === key)?.axis ?? 'iter';
      return {
        title: key,
        width: CHART_SIZE.width,
        height: CHART_SIZE.height,
        transform: [{ filter: { field: 'key', equal: key } }],
        mark: { type: 'line', point: axis === 'epoch', clip: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: axis === 'epoch' ? 'epoch' : 'iteration', axis: axis === 'epoch' ? { tickMinStep: 1 } : {} },
          y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
          color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: runs }, legend: { labelLimit: 400 } },
        },
      };
    }),
    config: { font: 'DejaVu Sans', view: { stroke: '#ddd' } },
  };
}

/** The plots of `keys` in `logs` as an SVG document. */
export async function plotScalars(logs: readonly ScalarLog[], keys: readonly string[]): Promise<string> {
  const view = new vega.View(vega.parse(compile(scalarPlotSpec(logs, keys)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** An SVG document as PNG (white background; `scale` 2 for a sharper picture). */
export async function svgToPng(svg: string, scale = 1): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale }).flatten({ background: '#ffffff' }).png({ palette: true }).toBuffer();
}
