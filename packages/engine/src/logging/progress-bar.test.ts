import { describe, expect, it } from 'vitest';
import { ProgressBar } from './progress-bar.js';

function stream(columns = 80) {
  const writes: string[] = [];
  return { writes, columns, write: (text: string) => writes.push(text) };
}

describe('ProgressBar', () => {
  it('draws prefix, bar, count and suffix in place, cut to the terminal width', () => {
    const out = stream(60);
    const bar = new ProgressBar(out, 0);
    bar.render(6, 24, 'Epoch 1/12', 'eta 0:00:10  loss 0.5000 and a lot more text that does not fit');
    const full = `Epoch 1/12 [${'█'.repeat(6)}${'░'.repeat(18)}] 6/24 eta 0:00:10  loss 0.5000 and a lot more`;
    expect(out.writes[0]).toBe(`\r\x1b[2K${full.slice(0, 59)}`);
    bar.clear();
    bar.redraw();
    bar.done();
    expect(out.writes.slice(1)).toEqual(['\r\x1b[2K', out.writes[0], '\n']);
  });

  it('is due at most once per interval', () => {
    const bar = new ProgressBar(stream(), 60_000);
    expect(bar.due()).toBe(true);
    bar.render(1, 2, 'x', '');
    expect(bar.due()).toBe(false);
  });

  it('writes nothing on clear, redraw or done before the first render', () => {
    const out = stream();
    const bar = new ProgressBar(out);
    bar.clear();
    bar.redraw();
    bar.done();
    expect(out.writes).toEqual([]);
  });
});
