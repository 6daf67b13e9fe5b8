import { describe, expect, it } from 'vitest';
import { detectionsFromResults, detectionsToResults } from './coco-detections.js';

describe('COCO detections as columns', () => {
  it('round-trips the results format, keeping order and mmdet key order', () => {
    const results = [
      { image_id: 3, bbox: [1.5, 2, 10, 20], score: 0.75, category_id: 18 },
      { image_id: 1, bbox: [0, 0, 5, 5], score: 0.5, category_id: 1 },
    ];
    const dets = detectionsFromResults(results);
    expect([dets.length, ...dets.imageIds, ...dets.categoryIds]).toEqual([2, 3, 1, 18, 1]);
    expect(detectionsToResults(dets)).toEqual(results);
    expect(Object.keys(detectionsToResults(dets)[0]!)).toEqual(['image_id', 'bbox', 'score', 'category_id']);
  });

  it('rejects a box that is not 4 numbers, naming the detection and its image', () => {
    expect(() => detectionsFromResults([{ image_id: 3, bbox: [1, 2, 3], score: 1, category_id: 1 }])).toThrow(
      'detection 0 (image 3): expected bbox [x, y, width, height], got [1,2,3]',
    );
  });
});
