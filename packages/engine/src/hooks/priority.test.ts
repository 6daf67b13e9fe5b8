import { describe, expect, it } from 'vitest';
import { PRIORITIES, getPriority, prioritySchema } from './priority.js';

describe('getPriority', () => {
  it('maps every MMEngine name to its value, in any case', () => {
    expect(PRIORITIES).toEqual({ HIGHEST: 0, VERY_HIGH: 10, HIGH: 30, ABOVE_NORMAL: 40, NORMAL: 50, BELOW_NORMAL: 60, LOW: 70, VERY_LOW: 90, LOWEST: 100 });
    expect(getPriority('very_high')).toBe(10);
    expect(getPriority('Lowest')).toBe(100);
  });

  it('accepts integers from 0 to 100', () => {
    expect(getPriority(0)).toBe(0);
    expect(getPriority(55)).toBe(55);
    expect(getPriority(100)).toBe(100);
  });

  it('rejects numbers outside 0..100 and unknown names, naming the config path', () => {
    expect(() => getPriority(101, 'custom_hooks.0.priority')).toThrow('custom_hooks.0.priority: priority must be an integer between 0 and 100, got 101');
    expect(() => getPriority(2.5)).toThrow('priority must be an integer between 0 and 100');
    expect(() => getPriority('URGENT')).toThrow(/priority: expected a priority name \(HIGHEST, VERY_HIGH, .*\) or an integer 0..100, got .*URGENT/);
  });

  it('validates the priority key of hook configs', () => {
    expect(prioritySchema.safeParse('low').success).toBe(true);
    expect(prioritySchema.safeParse(42).success).toBe(true);
    expect(prioritySchema.safeParse('URGENT').success).toBe(false);
    expect(prioritySchema.safeParse(-1).success).toBe(false);
  });
});
