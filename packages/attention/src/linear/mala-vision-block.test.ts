import { input, interpret, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseMalaRope, denseMalaVision } from '../../test/dense-mala-vision.js';
import { LINEAR_MAPS_CATALOG, MALA_VISION_SHAPE } from './linear-maps-catalog.js';
import { malaRopeTables, malaVisionBlock } from './mala-vision-block.js';

describe("MALA's vision block (#103)", () => {
  it('the float64 graph equals the reference forward written as loops', () => {
    const { graph, inputs, params } = LINEAR_MAPS_CATALOG.find(
      (entry) => entry.mechanism === 'mala-vision-block',
    )!.build();
    const output = interpret(graph, { inputs, params }).output!.data;
    const expected = denseMalaVision({ ...inputs, ...params }, MALA_VISION_SHAPE);
    expect(relativeError(output, expected)).toBeLessThan(1e-12);
  });

  it('its RoPE tables are the reference module’s (linspace exponents, rows then columns, pairs)', () => {
    for (const [height, width, dim] of [
      [6, 6, 16],
      [3, 5, 8],
      [2, 7, 32],
    ] as const) {
      const { sin, cos } = malaRopeTables(height, width, dim);
      const [denseSin, denseCos] = denseMalaRope(height, width, dim);
      // f32 tables of float64 angles: one rounding each
      expect(relativeError(sin, denseSin)).toBeLessThan(1e-7);
      expect(relativeError(cos, denseCos)).toBeLessThan(1e-7);
    }
  });

  it('names the block and tensor for bad shapes and heads', () => {
    const image = input('x', [1, 32, 6, 6]);
    const table = input('sin', [36, 16]);
    expect(() => malaVisionBlock(image, table, input('cos', [35, 16]), { heads: 2, name: 'stage1' })).toThrow(
      /MALA vision block "stage1": cos must be \[H·W, headDim\]/,
    );
    expect(() => malaVisionBlock(image, table, table, { heads: 3 })).toThrow(SpecError);
    expect(() => malaVisionBlock(input('x', [1, 32, 36]), table, table, { heads: 2 })).toThrow(
      /static \[batch/,
    );
    expect(() => malaRopeTables(6, 6, 6)).toThrow(/multiple of 4/);
  });
});
