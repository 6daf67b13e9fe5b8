import { describe, expect, it } from 'vitest';
import { flipImage, padImage, resizeImage } from './image-ops.js';

describe('resizeImage', () => {
  it('interpolates bilinearly at half-pixel centres, as cv2.resize INTER_LINEAR', () => {
    // cv2.resize(np.array([[0, 255]], np.uint8), (4, 1)) == [[0, 64, 191, 255]]
    const out = resizeImage(Uint8Array.of(0, 255), [1, 2], [1, 4], 'bilinear', 1);
    expect([...out]).toEqual([0, 64, 191, 255]);
  });

  it('averages 2×2 blocks when halving', () => {
    const img = Float32Array.of(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30); // 4×4, 1 channel
    expect([...resizeImage(img, [4, 4], [2, 2], 'bilinear', 1)]).toEqual([5, 9, 21, 25]);
  });

  it('picks floor(dst · in/out) for nearest', () => {
    const out = resizeImage(Uint8Array.of(10, 20, 30), [1, 3], [1, 6], 'nearest', 1);
    expect([...out]).toEqual([10, 10, 20, 20, 30, 30]);
  });

  it('keeps channels together and returns the input when the size is unchanged', () => {
    const img = Uint8Array.of(1, 2, 3, 4, 5, 6);
    expect(resizeImage(img, [1, 2], [1, 2], 'bilinear')).toBe(img);
    expect([...resizeImage(img, [1, 2], [2, 2], 'nearest')]).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
  });
});

describe('flipImage', () => {
  const img = Uint8Array.of(1, 2, 3, 4, 5, 6); // [2, 3] image, 1 channel: rows 1 2 3 / 4 5 6
  it('reverses columns, rows or both', () => {
    expect([...flipImage(img, [2, 3], 'horizontal', 1)]).toEqual([3, 2, 1, 6, 5, 4]);
    expect([...flipImage(img, [2, 3], 'vertical', 1)]).toEqual([4, 5, 6, 1, 2, 3]);
    expect([...flipImage(img, [2, 3], 'diagonal', 1)]).toEqual([6, 5, 4, 3, 2, 1]);
  });
});

describe('padImage', () => {
  it('pads at the bottom and right with the value per channel', () => {
    const out = padImage(Uint8Array.of(9, 8), [1, 1], [2, 2], [1, 2], 2);
    expect([...out]).toEqual([9, 8, 1, 2, 1, 2, 1, 2]);
  });
});
