import { input, interpret, SpecError } from '@weft/ir';
import { relativeError } from '@weft/ir/test';
import { describe, expect, it } from 'vitest';
import { denseNalaVision } from '../../test/dense-nala-vision.js';
import { freshInputs } from '../../test/fresh-inputs.js';
import { LINEAR_MAPS_CATALOG, NALA_VISION_SHAPE } from './linear-maps-catalog.js';
import { nalaVisionBlock } from './nala-vision-block.js';

const build = () =>
  LINEAR_MAPS_CATALOG.find((entry) => entry.mechanism === 'nalaformer-vision-block')!.build();

describe("NaLaFormer's vision block (#16)", () => {
  it.each([
    ['the catalog instance', undefined],
    ['a fresh random image', 20_261_207],
  ] as const)('%s: the float64 graph equals the reference forward written as loops', (_label, seed) => {
    const built = build();
    // Fresh image only: the RoPE tables stay the block's.
    const inputs =
      seed === undefined ? built.inputs : { ...built.inputs, x: freshInputs(built, seed).instance.inputs.x! };
    const output = interpret(built.graph, { inputs, params: built.params }).output!.data;
    const expected = denseNalaVision({ ...inputs, ...built.params }, NALA_VISION_SHAPE);
    expect(relativeError(output, expected)).toBeLessThan(1e-12);
  });

  it('the RoPE tables take part: identity tables (cos 1, sin 0) give another output, still the reference’s', () => {
    const built = build();
    const still = {
      ...built.inputs,
      sin: new Float32Array(built.inputs.sin!.length),
      cos: new Float32Array(built.inputs.cos!.length).fill(1),
    };
    const turned = interpret(built.graph, { inputs: built.inputs, params: built.params }).output!.data;
    const unturned = interpret(built.graph, { inputs: still, params: built.params }).output!.data;
    expect(
      relativeError(unturned, denseNalaVision({ ...still, ...built.params }, NALA_VISION_SHAPE)),
    ).toBeLessThan(1e-12);
    expect(relativeError(turned, unturned)).toBeGreaterThan(1e-3);
  });

  it('names the block and tensor for bad shapes and heads', () => {
    const image = input('x', [1, 32, 6, 6]);
    const table = input('sin', [36, 16]);
    expect(() => nalaVisionBlock(image, table, input('cos', [36, 32]), { heads: 2, name: 'stage1' })).toThrow(
      /NaLaFormer vision block "stage1": cos must be \[H·W, headDim\]/,
    );
    expect(() => nalaVisionBlock(image, table, table, { heads: 3 })).toThrow(SpecError);
    expect(() => nalaVisionBlock(input('x', [1, 32, 36]), table, table, { heads: 2 })).toThrow(
      /static \[batch/,
    );
  });
});
