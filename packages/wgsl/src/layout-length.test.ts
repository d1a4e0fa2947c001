import { describe, expect, test } from 'vitest';
import { layoutLength } from './layout-length.js';

describe('layoutLength', () => {
  test('counts each all-digit segment of a name as one character', () => {
    const line = (index: number) => `let v = in_layers_${index}_attn_q[i] + "layers.${index}.attn.q".x;`;
    expect(layoutLength(line(3))).toBe(line(3).length);
    expect(layoutLength(line(12))).toBe(line(3).length);
    expect(layoutLength(line(123))).toBe(line(3).length);
    expect(layoutLength('x_12_y_345_z')).toBe('x_1_y_3_z'.length);
  });

  test('leaves numbers and digits inside identifiers as they are', () => {
    for (const text of ['let x = 0.125 + 12.5;', 'b_value12 + acc12', '3.4028234e38', 'x_12a']) {
      expect(layoutLength(text), text).toBe(text.length);
    }
  });
});
