import { describe, expect, it } from 'vitest';
import { asciiTable } from './classwise-table.js';

describe('asciiTable', () => {
  it("draws terminaltables' AsciiTable: border, rule under the heading, cells padded and left-aligned", () => {
    expect(asciiTable([['category', 'mAP'], ['person', '0.5'], ['tv', 'nan']])).toBe(
      ['+----------+-----+', '| category | mAP |', '+----------+-----+', '| person   | 0.5 |', '| tv       | nan |', '+----------+-----+'].join('\n'),
    );
  });
});
