import { input, makeGraph } from '@weft/ir';
import { afterAll, describe, it } from 'vitest';
import {
  adaIn,
  adaLin,
  adaLnZero,
  gatedResidual,
  instanceLayerNorm,
  spade,
  styleAdaptiveInstanceNorm,
  taskLayerNorm,
} from './index.js';
import { expectMatches, printWorstErrors, run, values } from './test-support/cases.js';
import {
  adaLinReference,
  batchNormReference,
  conv2dReference,
  instanceNormReference,
  layerNormReference,
  linearReference,
  nearestResizeReference,
} from './test-support/reference-norms.js';

afterAll(() => printWorstErrors('conditional norms: interpreter vs float64 JS (normwise relative error)'));

/** Columns `[from, to)` of a row-major `[rows, width]` matrix. */
const columns = (
  data: ArrayLike<number>,
  rows: number,
  width: number,
  from: number,
  to: number,
): Float64Array =>
  Float64Array.from(
    { length: rows * (to - from) },
    (_, i) => data[Math.floor(i / (to - from)) * width + from + (i % (to - from))]!,
  );

describe('AdaIN and SAIN vs the float64 formula', () => {
  it.each(['gamma', 'onePlusGamma'] as const)('AdaIN on [2, 5, 4, 3] with scale %s', (scale) => {
    const [batch, channels, styleWidth] = [2, 5, 6];
    const shape = [batch, channels, 4, 3];
    const x = values(shape, 61, { min: -2, max: 2 });
    const style = values([batch, styleWidth], 62);
    const weight = values([styleWidth, 2 * channels], 63);
    const bias = values([2 * channels], 64);
    const graph = makeGraph({
      y: adaIn(input('x', shape), input('style', [batch, styleWidth]), { scale, name: 'ada' }),
    });
    const y = run(graph, { x, style }, { 'ada.style.weight': weight, 'ada.style.bias': bias });
    const projected = linearReference(style, batch, weight, bias);
    const gamma = columns(projected, batch, 2 * channels, 0, channels).map((g) =>
      scale === 'gamma' ? g : 1 + g,
    );
    const beta = columns(projected, batch, 2 * channels, channels, 2 * channels);
    expectMatches(
      'AdaIN',
      y.data,
      instanceNormReference({ shape, data: x }, 1e-5, { scale: gamma, shift: beta }),
    );
  });

  it('SAIN over valid frames of [3, 4, 13]', () => {
    const [batch, channels, frames, styleWidth] = [3, 4, 13, 5];
    const lengths = [13, 8, 1];
    const mask = Float64Array.from({ length: batch * frames }, (_, i) =>
      i % frames < lengths[Math.floor(i / frames)]! ? 1 : 0,
    );
    const h = values([batch, channels, frames], 65, { min: -4, max: 4 });
    const style = values([batch, styleWidth], 66);
    const weight = values([styleWidth, 2 * channels], 67);
    const bias = values([2 * channels], 68);
    const node = styleAdaptiveInstanceNorm(
      input('h', [batch, channels, frames]),
      input('style', [batch, styleWidth]),
      {
        mask: input('mask', [batch, frames]),
      },
    );
    const y = run(
      makeGraph({ y: node }),
      { h, style, mask },
      { 'sain.style.weight': weight, 'sain.style.bias': bias },
    );
    const projected = linearReference(style, batch, weight, bias);
    const expected = instanceNormReference({ shape: [batch, channels, frames], data: h }, 1e-5, {
      mask,
      scale: columns(projected, batch, 2 * channels, 0, channels),
      shift: columns(projected, batch, 2 * channels, channels, 2 * channels),
    });
    // Padded frames stay 0: the reference skips them.
    expectMatches('SAIN (masked)', y.data, expected);
  });
});

describe('AdaLIN and ILN vs the float64 formula', () => {
  it.each(['population', 'unbiased'] as const)(
    'AdaLIN on [2, 6, 5, 3] with %s variance, ρ outside [0, 1] clipped',
    (variance) => {
      const [batch, channels] = [2, 6];
      const shape = [batch, channels, 5, 3];
      const x = values(shape, 71, { min: -3, max: 2 });
      const rho = [-0.4, 0.2, 0.5, 0.9, 1.3, 1];
      const gamma = values([batch, channels], 72);
      const beta = values([batch, channels], 73);
      const graph = makeGraph({
        y: adaLin(input('x', shape), {
          gamma: input('gamma', [batch, channels]),
          beta: input('beta', [batch, channels]),
          variance,
          name: 'ada',
        }),
      });
      const y = run(graph, { x, gamma, beta }, { 'ada.rho': rho });
      expectMatches(
        'AdaLIN',
        y.data,
        adaLinReference({ shape, data: x }, rho, gamma, beta, 1e-5, variance === 'unbiased'),
      );
    },
  );

  it('ILN on [3, 4, 7] with learned γ, β, ρ', () => {
    const shape = [3, 4, 7];
    const x = values(shape, 74);
    const params = { 'iln.rho': [0, 0.3, 0.8, 1], 'iln.gamma': values([4], 75), 'iln.beta': values([4], 76) };
    const y = run(makeGraph({ y: instanceLayerNorm(input('x', shape)) }), { x }, params);
    const repeat = (v: ArrayLike<number>) => Float64Array.from({ length: 12 }, (_, i) => v[i % 4]!);
    expectMatches(
      'ILN',
      y.data,
      adaLinReference(
        { shape, data: x },
        params['iln.rho'],
        repeat(params['iln.gamma']),
        repeat(params['iln.beta']),
        1e-5,
        false,
      ),
    );
  });
});

describe('adaLN-Zero vs the float64 formula', () => {
  it('modulates LN(x) and gates a residual on [2, 7, 9]', () => {
    const [batch, tokens, width, conditionWidth] = [2, 7, 9, 5];
    const x = values([batch, tokens, width], 81, { min: -2, max: 2 });
    const c = values([batch, conditionWidth], 82);
    const update = values([batch, tokens, width], 83);
    const weight = values([conditionWidth, 3 * width], 84);
    const bias = values([3 * width], 85);
    const xNode = input('x', [batch, tokens, width]);
    const { modulated, gate } = adaLnZero(xNode, input('c', [batch, conditionWidth]), { name: 'ada' });
    const graph = makeGraph({
      y: modulated,
      out: gatedResidual(xNode, gate, input('update', [batch, tokens, width])),
    });
    const params = { 'ada.modulation.weight': weight, 'ada.modulation.bias': bias };
    const silu = c.map((v) => v / (1 + Math.exp(-v)));
    const projected = linearReference(silu, batch, weight, bias);
    const normalized = layerNormReference({ shape: [batch, tokens, width], data: x }, 1, 1e-6);
    const at = (b: number, chunk: number, d: number) => projected[b * 3 * width + chunk * width + d]!;
    const expected = normalized.map((v, i) => {
      const [b, d] = [Math.floor(i / (tokens * width)), i % width];
      return v * (1 + at(b, 1, d)) + at(b, 0, d);
    });
    const expectedOut = x.map((v, i) => v + at(Math.floor(i / (tokens * width)), 2, i % width) * update[i]!);
    expectMatches('adaLN-Zero', run(graph, { x, c, update }, params).data, expected);
    expectMatches('adaLN-Zero', run(graph, { x, c, update }, params, 'out').data, expectedOut);
  });
});

describe('SPADE vs the float64 formula', () => {
  it.each(['batch', 'instance'] as const)(
    'with %s statistics, a 2× nearest upsampled label map and 3×3 convs',
    (norm) => {
      const [batch, channels, size, labels, hidden] = [2, 3, 6, 4, 5];
      const x = values([batch, channels, size, size], 91, { min: -2, max: 2 });
      const segmentation = values([batch, labels, size / 2, size / 2], 92);
      const params: Record<string, Float64Array> = {
        'sp.shared.weight': values([hidden, labels, 3, 3], 93),
        'sp.shared.bias': values([hidden], 94),
        'sp.gamma.weight': values([channels, hidden, 3, 3], 95),
        'sp.gamma.bias': values([channels], 96),
        'sp.beta.weight': values([channels, hidden, 3, 3], 97),
        'sp.beta.bias': values([channels], 98),
      };
      if (norm === 'batch') {
        params['sp.norm.runningMean'] = values([channels], 99);
        params['sp.norm.runningVar'] = values([channels], 100, { min: 0.3, max: 2 });
      }
      const graph = makeGraph({
        y: spade(
          input('x', [batch, channels, size, size]),
          input('segmentation', [batch, labels, size / 2, size / 2]),
          {
            norm,
            hidden,
            name: 'sp',
          },
        ),
      });
      const y = run(graph, { x, segmentation }, params);
      const resized = nearestResizeReference(
        { shape: [batch, labels, size / 2, size / 2], data: segmentation },
        size,
        size,
      );
      const weight = (name: string, shape: number[]) => ({ shape, data: params[name]! });
      const shared = conv2dReference(
        resized,
        weight('sp.shared.weight', [hidden, labels, 3, 3]),
        params['sp.shared.bias']!,
        1,
      );
      const activated = { shape: shared.shape, data: shared.data.map((v) => Math.max(v, 0)) };
      const gamma = conv2dReference(
        activated,
        weight('sp.gamma.weight', [channels, hidden, 3, 3]),
        params['sp.gamma.bias']!,
        1,
      );
      const beta = conv2dReference(
        activated,
        weight('sp.beta.weight', [channels, hidden, 3, 3]),
        params['sp.beta.bias']!,
        1,
      );
      const xArray = { shape: [batch, channels, size, size], data: x };
      const normalized =
        norm === 'batch'
          ? batchNormReference(xArray, params['sp.norm.runningMean']!, params['sp.norm.runningVar']!, 1e-5)
          : instanceNormReference(xArray, 1e-5);
      expectMatches(
        'SPADE',
        y.data,
        normalized.map((v, i) => v * (1 + gamma.data[i]!) + beta.data[i]!),
      );
    },
  );
});

describe('per-task LayerNorm vs the float64 formula', () => {
  it('selects each sample’s parameter set by index', () => {
    const [batch, tokens, width, tasks] = [4, 3, 11, 5];
    const x = values([batch, tokens, width], 101);
    const task = [3, 0, 4, 3];
    const gamma = values([tasks, width], 102);
    const beta = values([tasks, width], 103);
    const graph = makeGraph({
      y: taskLayerNorm(input('x', [batch, tokens, width]), input('task', [batch], 'i32'), {
        tasks,
        name: 'tln',
      }),
    });
    const y = run(graph, { x, task }, { 'tln.gamma': gamma, 'tln.beta': beta });
    const normalized = layerNormReference({ shape: [batch, tokens, width], data: x }, 1, 1e-5);
    const expected = normalized.map((v, i) => {
      const row = task[Math.floor(i / (tokens * width))]! * width + (i % width);
      return v * gamma[row]! + beta[row]!;
    });
    expectMatches('LayerNorm tuning (per-task)', y.data, expected);
  });
});
