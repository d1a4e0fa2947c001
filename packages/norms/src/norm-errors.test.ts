import { input, interpret, makeGraph, WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import {
  adaIn,
  adaLin,
  adaLnZero,
  groupNorm,
  instanceLayerNorm,
  instanceNorm,
  l2Norm,
  layerNorm,
  rmsNorm,
  spade,
  sphericalResidual,
  taskLayerNorm,
} from './index.js';

/** Runs `build` and returns the WeftError it throws (failing when it throws nothing or something else). */
function weftErrorOf(build: () => unknown): WeftError {
  try {
    build();
  } catch (error) {
    if (WeftError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a WeftError');
}

describe('bad input gives a WeftError naming the layer, tensor and dim', () => {
  it('normalized axes that do not exist', () => {
    const error = weftErrorOf(() => layerNorm(input('x', [4, 8]), { axes: [2], name: 'blocks.0.ln' }));
    expect(error.code).toBe('shape');
    expect(error.message).toContain('block "blocks.0.ln"');
    expect(error.message).toContain('tensor "x"');
    expect(error.message).toContain('dim 2');
    expect(() => rmsNorm(input('x', [4, 8]), { axes: [-3] })).toThrow(/rmsNorm.*dim -3/);
    expect(() => l2Norm(input('x', [4, 8]), { axis: 5, name: 'qNorm' })).toThrow(/qNorm/);
  });

  it('repeated axes and a negative eps are spec errors', () => {
    expect(weftErrorOf(() => layerNorm(input('x', [4, 8]), { axes: [1, -1] })).code).toBe('spec');
    expect(weftErrorOf(() => layerNorm(input('x', [4, 8]), { eps: -1 })).code).toBe('spec');
  });

  it('a group count that does not divide the channels', () => {
    const error = weftErrorOf(() => groupNorm(input('x', [2, 6, 4, 4]), { groups: 4, name: 'unet.gn' }));
    expect(error.code).toBe('spec');
    expect(error.message).toContain('block "unet.gn"');
    expect(error.message).toContain('dim 1');
    expect(error.message).toContain('a divisor of C = 6');
    expect(error.message).toContain('got 4');
  });

  it('conditioning tensors of the wrong shape', () => {
    const x = input('x', [2, 6, 4, 4]);
    const gammaError = weftErrorOf(() =>
      adaLin(x, { gamma: input('gamma', [2, 5]), beta: input('beta', [2, 6]), name: 'gen.adaLin' }),
    );
    expect(gammaError.code).toBe('shape');
    expect(gammaError.message).toContain('tensor "gamma"');
    expect(gammaError.message).toContain('dim 1');
    expect(gammaError.message).toContain('expected [2, 6]');
    expect(() => adaIn(x, input('style', [3, 8]), { name: 'synth.adaIn' })).toThrow(
      /synth\.adaIn.*style.*dim 0/,
    );
    expect(() => adaLnZero(input('t', [2, 5, 8]), input('c', [2, 3, 4]), { name: 'dit.0' })).toThrow(
      /dit\.0.*condition/,
    );
    expect(() => instanceNorm(input('h', [2, 3, 7]), { mask: input('mask', [2, 6]), name: 'sain' })).toThrow(
      /sain.*mask.*dim 1/,
    );
    expect(() =>
      taskLayerNorm(input('x', [4, 8]), input('task', [3], 'i32'), { tasks: 2, name: 'tln' }),
    ).toThrow(/tln.*task.*dim 0/);
    expect(() => sphericalResidual(input('h', [4, 8]), input('u', [4, 9]), { name: 'res' })).toThrow(
      /res.*update.*dim 1/,
    );
    expect(() => spade(x, input('labels', [3, 5, 8, 8]), { name: 'sp' })).toThrow(/sp.*segmentation.*dim 0/);
  });

  it('layouts and dtypes a layer cannot normalize', () => {
    expect(() => instanceNorm(input('x', [2, 6]), { name: 'in' })).toThrow(/in.*rank >= 3/);
    expect(weftErrorOf(() => layerNorm(input('x', [2, 6], 'i32'))).code).toBe('dtype');
    expect(() => instanceLayerNorm(input('x', [2, 6, 1]), { variance: 'unbiased', name: 'iln' })).toThrow(
      /iln.*at least 2 spatial positions/,
    );
  });

  it('parameter values of the wrong size are rejected by name when the layer runs', () => {
    const graph = makeGraph({ y: layerNorm(input('x', [2, 5]), { name: 'ln' }) });
    const run = () =>
      interpret(graph, {
        inputs: { x: new Float64Array(10).fill(1) },
        params: { 'ln.gamma': [1, 1, 1, 1], 'ln.beta': new Float64Array(5) },
      });
    expect(run).toThrow(/ln\.gamma/);
  });
});
