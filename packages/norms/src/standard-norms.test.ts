import { input, makeGraph } from '@weft/ir';
import { afterAll, describe, it } from 'vitest';
import { fixNorm, l2Norm, layerNorm, rmsNorm, scaleNorm, simpleRmsNorm } from './index.js';
import { expectMatches, printWorstErrors, rowShapes, run, values } from './test-support/cases.js';
import { l2NormReference, layerNormReference, rmsNormReference } from './test-support/reference-norms.js';

afterAll(() => printWorstErrors('standard norms: interpreter vs float64 JS (normwise relative error)'));

describe('LayerNorm vs the float64 formula', () => {
  it.each(rowShapes(11))('over the last axis of %j, with gain and bias', (rows, length) => {
    const shape = [rows!, length!];
    const x = values(shape, rows! * 131 + length!, { min: -3, max: 3 });
    const gamma = values([length!], 7);
    const beta = values([length!], 8);
    const y = run(
      makeGraph({ y: layerNorm(input('x', shape), { name: 'ln' }) }),
      { x },
      { 'ln.gamma': gamma, 'ln.beta': beta },
    );
    expectMatches('LayerNorm', y.data, layerNormReference({ shape, data: x }, 1, 1e-5, gamma, beta));
  });

  it('over two trailing axes, without bias, with a custom eps', () => {
    const shape = [3, 5, 7];
    const x = values(shape, 21, { min: -2, max: 4 });
    const gamma = values([5, 7], 22);
    const graph = makeGraph({
      y: layerNorm(input('x', shape), { axes: [-2, -1], bias: false, eps: 1e-3, name: 'ln' }),
    });
    expectMatches(
      'LayerNorm',
      run(graph, { x }, { 'ln.gamma': gamma }).data,
      layerNormReference({ shape, data: x }, 2, 1e-3, gamma),
    );
  });

  it('without affine parameters', () => {
    const shape = [4, 33];
    const x = values(shape, 23);
    const y = run(makeGraph({ y: layerNorm(input('x', shape), { affine: false }) }), { x });
    expectMatches('LayerNorm', y.data, layerNormReference({ shape, data: x }, 1, 1e-5));
  });

  it('over a non-trailing axis (the reference transposes it to the end)', () => {
    const [a, b] = [6, 4];
    const x = values([a, b], 24);
    const gamma = values([a], 25);
    const y = run(
      makeGraph({ y: layerNorm(input('x', [a, b]), { axes: 0, bias: false, name: 'ln' }) }),
      { x },
      { 'ln.gamma': gamma },
    );
    const transposed = Float64Array.from({ length: a * b }, (_, i) => x[(i % a) * b + Math.floor(i / a)]!);
    const expected = layerNormReference({ shape: [b, a], data: transposed }, 1, 1e-5, gamma);
    expectMatches(
      'LayerNorm',
      y.data,
      Float64Array.from({ length: a * b }, (_, i) => expected[(i % b) * a + Math.floor(i / b)]!),
    );
  });
});

describe('RMSNorm vs the float64 formula', () => {
  it.each(rowShapes(12))('with gain over %j', (rows, length) => {
    const shape = [rows!, length!];
    const x = values(shape, rows! * 17 + length!, { min: -3, max: 3 });
    const gain = values([length!], 9);
    const y = run(
      makeGraph({ y: rmsNorm(input('x', shape), { name: 'rms' }) }),
      { x },
      { 'rms.gamma': gain },
    );
    expectMatches('RMSNorm', y.data, rmsNormReference({ shape, data: x }, 1e-6, 'inside', gain));
  });

  it.each(rowShapes(13))('simple RMSNorm, both TransNormer variants, over %j', (rows, length) => {
    const shape = [rows!, length!];
    const x = values(shape, rows! * 19 + length!);
    const llm = run(makeGraph({ y: simpleRmsNorm(input('x', shape)) }), { x });
    expectMatches('Simple RMSNorm', llm.data, rmsNormReference({ shape, data: x }, 1e-6, 'inside'));
    const v1 = run(makeGraph({ y: simpleRmsNorm(input('x', shape), { variant: 'transnormer' }) }), { x });
    expectMatches('Simple RMSNorm', v1.data, rmsNormReference({ shape, data: x }, 1e-8, 'outside'));
  });
});

describe('ScaleNorm, FixNorm and L2 normalization vs the float64 formula', () => {
  it.each(rowShapes(14))('ScaleNorm over %j', (rows, length) => {
    const shape = [rows!, length!];
    const x = values(shape, rows! * 23 + length!);
    const scale = [Math.sqrt(length!) * 0.9];
    const y = run(
      makeGraph({ y: scaleNorm(input('x', shape), { name: 'sn' }) }),
      { x },
      { 'sn.scale': scale },
    );
    expectMatches('ScaleNorm', y.data, l2NormReference({ shape, data: x }, 1e-5, scale));
  });

  it.each(rowShapes(15))('FixNorm over %j scales rows to √d', (rows, length) => {
    const shape = [rows!, length!];
    const x = values(shape, rows! * 29 + length!);
    const y = run(makeGraph({ y: fixNorm(input('x', shape)) }), { x });
    expectMatches('FixNorm', y.data, l2NormReference({ shape, data: x }, 1e-12, [Math.sqrt(length!)]));
  });

  it.each(rowShapes(16))('L2 norm with scalar and per-dim scale over %j', (rows, length) => {
    const shape = [rows!, length!];
    const x = values(shape, rows! * 31 + length!);
    const scalar = [2.5];
    const vector = values([length!], 33);
    const yScalar = run(
      makeGraph({ y: l2Norm(input('x', shape), { scale: 'scalar', name: 'qk' }) }),
      { x },
      { 'qk.scale': scalar },
    );
    expectMatches('L2 norm (QKNorm)', yScalar.data, l2NormReference({ shape, data: x }, 1e-12, scalar));
    const yVector = run(
      makeGraph({ y: l2Norm(input('x', shape), { scale: 'vector', name: 'qk' }) }),
      { x },
      { 'qk.scale': vector },
    );
    expectMatches('L2 norm (QKNorm)', yVector.data, l2NormReference({ shape, data: x }, 1e-12, vector));
  });
});
