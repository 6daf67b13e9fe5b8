import { describe, expect, it } from 'vitest';
import { HistoryBuffer } from './history-buffer.js';
import { MessageHub } from './message-hub.js';

describe('HistoryBuffer', () => {
  it('averages the last window of values, weighted by their counts', () => {
    const buffer = new HistoryBuffer();
    buffer.update(1);
    buffer.update(2);
    buffer.update(4, 3);
    expect(buffer.current()).toBe(4);
    expect(buffer.mean(2)).toBe((2 + 12) / 4);
    expect(buffer.mean()).toBe((1 + 2 + 12) / 5);
    expect([buffer.min(), buffer.max(2)]).toEqual([1, 4]);
  });

  it('keeps only the last maxLength values', () => {
    const buffer = new HistoryBuffer(3);
    for (let i = 1; i <= 10; i++) buffer.update(i);
    expect(buffer.data()).toEqual([8, 9, 10]);
    expect(buffer.length).toBe(3);
    expect(buffer.mean(100)).toBe(9);
  });

  it('is NaN when empty', () => {
    expect(new HistoryBuffer().mean()).toBeNaN();
    expect(new HistoryBuffer().current()).toBeNaN();
  });
});

describe('MessageHub', () => {
  it('keeps scalar histories and runtime info, and restores them from its state', () => {
    const hub = new MessageHub();
    hub.updateScalars({ 'train/loss': 0.9, 'train/lr': 0.01 });
    hub.updateScalar('train/loss', 0.7);
    hub.updateInfo('epoch', 3);
    expect(hub.getScalar('train/loss')!.mean(10)).toBeCloseTo(0.8);
    expect(hub.getInfo('epoch')).toBe(3);
    expect(hub.getInfo('missing', 'fallback')).toBe('fallback');

    const copy = new MessageHub();
    copy.loadStateDict(JSON.parse(JSON.stringify(hub.stateDict())));
    expect(copy.getScalar('train/loss')!.data()).toEqual([0.9, 0.7]);
    expect(copy.getInfo('epoch')).toBe(3);
    expect([...copy.logScalars.keys()]).toEqual(['train/loss', 'train/lr']);
  });
});
