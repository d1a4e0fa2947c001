import { input, type Node } from '@weft/ir';
import {
  fixNorm,
  hypersphereNormalize,
  l2Norm,
  layerNorm,
  rmsNorm,
  scaleNorm,
  simpleRmsNorm,
} from '@weft/norms';
import { describe, expect, it } from 'vitest';
import { NORM_LAYER_KINDS, type NormLayerJSON, normLayerFromJSON } from './norm-layer-json.js';

/** What a block does with a norm layer: the `@weft/norms` builder of its kind, with its options. */
function applyNorm(x: Node, json: NormLayerJSON): Node {
  const { kind, ...options } = json;
  const name = 'norm';
  switch (kind) {
    case 'rmsnorm':
      return rmsNorm(x, { ...options, name } as Parameters<typeof rmsNorm>[1]);
    case 'simplermsnorm':
      return simpleRmsNorm(x, { ...options, name } as Parameters<typeof simpleRmsNorm>[1]);
    case 'layernorm':
      return layerNorm(x, { ...options, name } as Parameters<typeof layerNorm>[1]);
    case 'scalenorm':
      return scaleNorm(x, { ...options, name } as Parameters<typeof scaleNorm>[1]);
    case 'l2norm':
      return l2Norm(x, { ...options, name } as Parameters<typeof l2Norm>[1]);
    case 'fixnorm':
      return fixNorm(x, { ...options, name } as Parameters<typeof fixNorm>[1]);
    case 'hypersphere':
      return hypersphereNormalize(x, { ...options, name } as Parameters<typeof hypersphereNormalize>[1]);
  }
}

const x = input('x', [4, 32]);

describe('normLayerFromJSON', () => {
  it('returns the validated object, options left out for the builder defaults', () => {
    expect(normLayerFromJSON({ kind: 'rmsnorm' })).toEqual({ kind: 'rmsnorm' });
    expect(normLayerFromJSON({ kind: 'layernorm', eps: 1e-12, bias: false })).toEqual({
      kind: 'layernorm',
      eps: 1e-12,
      bias: false,
    });
  });

  it.each([
    [
      { kind: 'rmsnorm', eps: 1e-6, epsPlacement: 'outside', gain: false },
      rmsNorm(x, { eps: 1e-6, epsPlacement: 'outside', gain: false, name: 'norm' }),
    ],
    [
      { kind: 'simplermsnorm', variant: 'transnormer' },
      simpleRmsNorm(x, { variant: 'transnormer', name: 'norm' }),
    ],
    [
      { kind: 'layernorm', eps: 1e-5, affine: true, bias: false },
      layerNorm(x, { eps: 1e-5, bias: false, name: 'norm' }),
    ],
    [{ kind: 'scalenorm', eps: 1e-5 }, scaleNorm(x, { name: 'norm' })],
    [{ kind: 'l2norm', scale: 'vector' }, l2Norm(x, { scale: 'vector', name: 'norm' })],
    [{ kind: 'fixnorm', scale: 4 }, fixNorm(x, { scale: 4, name: 'norm' })],
    [{ kind: 'hypersphere', eps: 0 }, hypersphereNormalize(x, { eps: 0, name: 'norm' })],
  ] as const)('%o maps onto its @weft/norms builder', (json, expected) => {
    expect(applyNorm(x, normLayerFromJSON(json)).hash).toBe(expected.hash);
  });

  it('has a case above for every kind', () => {
    expect(NORM_LAYER_KINDS).toEqual([
      'rmsnorm',
      'simplermsnorm',
      'layernorm',
      'scalenorm',
      'l2norm',
      'fixnorm',
      'hypersphere',
    ]);
  });

  it('reports junk with the JSON path', () => {
    expect(() => normLayerFromJSON({ kind: 'rmsnrom', eps: 1e-6 }, { path: 'layers[0].norm' })).toThrow(
      /layers\[0\]\.norm\.kind: expected a norm layer kind: rmsnorm, .*; got "rmsnrom" \(did you mean "rmsnorm"\?\)/,
    );
    const message = (() => {
      try {
        normLayerFromJSON({ kind: 'layernorm', eps: -1, gain: true, affine: 'yes' }, { path: 'norm' });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toContain('invalid norm layer (3 problems)');
    expect(message).toContain('norm.eps: expected a finite number >= 0, got -1');
    expect(message).toContain('norm.gain: unknown key');
    expect(message).toContain('norm.affine: expected boolean, got "yes"');
    expect(() => normLayerFromJSON({ kind: 'fixnorm', scale: Number.POSITIVE_INFINITY })).toThrow(
      /scale: expected a finite positive number, got Infinity/,
    );
    expect(() => normLayerFromJSON('rmsnorm')).toThrow(/must be a JSON object/);
  });
});
