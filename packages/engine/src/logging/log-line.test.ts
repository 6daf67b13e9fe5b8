import { describe, expect, it } from 'vitest';
import { epochHead, formatDuration, formatLogLine, formatValue, iterHead } from './log-line.js';

describe('log lines', () => {
  it("writes MMEngine's heads, right-aligning epoch and batch numbers", () => {
    expect(epochHead('train', 1, 12, 49, 200)).toBe('Epoch(train)  [1][ 50/200]');
    expect(epochHead('train', 100, 100, 199, 200)).toBe('Epoch(train) [100][200/200]');
    expect(iterHead('train', 50, 90000)).toBe('Iter(train) [   50/90000]');
  });

  it('prints learning rates in exponent form, memory as an integer and the rest with 4 decimals', () => {
    expect(formatValue('lr', 0.01)).toBe('1.0000e-02');
    expect(formatValue('base_lr', 2e-5)).toBe('2.0000e-05');
    expect(formatValue('memory', 337.6)).toBe('338');
    expect(formatValue('loss', 1.08524)).toBe('1.0852');
    expect(formatLogLine('Epoch(train) [1][1/2]', { lr: 0.02, eta: '0:00:05', loss: 0.5 })).toBe('Epoch(train) [1][1/2]  lr: 2.0000e-02  eta: 0:00:05  loss: 0.5000');
  });

  it("writes durations as Python's timedelta does", () => {
    expect(formatDuration(401)).toBe('0:06:41');
    expect(formatDuration(86400 + 7451)).toBe('1 day, 2:04:11');
    expect(formatDuration(3 * 86400)).toBe('3 days, 0:00:00');
    expect(formatDuration(Number.NaN)).toBe('-');
  });
});
