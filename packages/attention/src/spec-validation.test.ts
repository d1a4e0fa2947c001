import { input, makeGraph, SpecError, tensorRef, WeftError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import {
  type AttentionSpec,
  alibi,
  and,
  applyAttention,
  attention,
  causal,
  chunked,
  customMask,
  documentMask,
  entmax,
  gaussianKernelScore,
  groupedSoftmax,
  identity,
  keyBias,
  keyPadding,
  lightningDecay,
  maskFrom,
  nap,
  not,
  or,
  patternInjectedHeads,
  pLaplacian,
  polynomialNormalized,
  prefixLM,
  probabilisticAttentionScore,
  qkNorm,
  rope,
  scale,
  scoreMod,
  sigmoid,
  slidingWindow,
  softcap,
  softmax,
  softplusNormalized,
  topTheta,
  weightedGqa,
} from './index.js';

/** Runs `build` and returns the error it throws; fails unless it is a SpecError (a WeftError). */
function specErrorOf(build: () => unknown): SpecError {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'nothing was thrown').toBeDefined();
  expect(WeftError.isInstance(thrown), `not a WeftError: ${String(thrown)}`).toBe(true);
  expect(thrown).toBeInstanceOf(SpecError);
  return thrown as SpecError;
}

const junk = <T>(value: unknown) => value as T;

/** A spec built from genuine parts still applies after any number of refused ones. */
function applies(spec: AttentionSpec): void {
  const { output } = applyAttention(spec, {
    query: input('q', [1, spec.heads, 6, spec.headDim]),
    key: input('k', [1, spec.kvHeads, 6, spec.headDim]),
    value: input('v', [1, spec.valueHeads, 6, spec.valueDim]),
  });
  makeGraph({ output });
}

describe('attention DSL: options objects', () => {
  it('null or a non-object where an options object is expected is a SpecError naming the builder', () => {
    const calls: [string, () => unknown][] = [
      ['attention', () => attention(junk(null))],
      ['attention', () => attention(junk(undefined))],
      ['attention', () => attention(junk('attention'))],
      ['rope', () => rope(junk(null))],
      ['alibi', () => alibi(junk(null))],
      ['causal', () => causal(junk(null))],
      ['slidingWindow', () => slidingWindow(4, junk(null))],
      ['softmax', () => softmax(junk(null))],
      ['sigmoid', () => sigmoid(junk(null))],
      ['qkNorm', () => qkNorm(junk(null))],
      ['nap', () => nap(junk(null))],
      ['identity', () => identity(junk(null))],
      ['entmax', () => entmax(junk(null))],
      ['groupedSoftmax', () => groupedSoftmax(junk(undefined))],
      ['pLaplacian', () => pLaplacian(junk(null))],
      ['topTheta', () => topTheta(junk(null))],
      ['softplusNormalized', () => softplusNormalized(junk([]))],
      ['polynomialNormalized', () => polynomialNormalized(junk(7))],
      ['weightedGqa', () => weightedGqa(junk(undefined))],
      ['documentMask', () => documentMask(tensorRef('ids', [1, 6], 'i32'), junk(null))],
      ['gaussianKernelScore', () => gaussianKernelScore(junk(null))],
      ['probabilisticAttentionScore', () => probabilisticAttentionScore(junk(undefined))],
      ['patternInjectedHeads', () => patternInjectedHeads(junk(null))],
    ];
    for (const [builder, call] of calls)
      expect(specErrorOf(call).message).toMatch(new RegExp(`^${builder}: the options must be an object`));
  });

  it('an unknown option is refused with the list of allowed options', () => {
    expect(specErrorOf(() => rope(junk({ bas: 500 }))).message).toBe(
      'rope: unknown option "bas" (allowed: base, fraction, layout, dims, grid)',
    );
    expect(specErrorOf(() => softmax(junk({ sinks: 0 }))).message).toContain('unknown option "sinks"');
    expect(specErrorOf(() => causal(junk({ alignment: 'top-left' }))).message).toContain(
      'causal: unknown option "alignment" (allowed: align)',
    );
    expect(specErrorOf(() => qkNorm(junk({ epsilon: 1e-6 }))).message).toContain(
      'allowed: kind, scale, eps, bias',
    );
    expect(specErrorOf(() => softplusNormalized({ reweight: junk({ powr: 2 }) })).message).toContain(
      'unknown option "powr"',
    );
  });
});

describe('attention DSL: parameter types', () => {
  it('a head parameter that is neither a number nor a tensor reference names the builder and option', () => {
    expect(specErrorOf(() => softmax({ sink: junk('4') })).message).toBe(
      'softmax: option "sink" must be a number or a tensor reference (got string "4")',
    );
    const features = tensorRef('x', [1, 4, 6, 8]);
    const cases: [RegExp, () => unknown][] = [
      [/^sigmoid: option "bias"/, () => sigmoid({ bias: junk('4') })],
      [/^sigmoid: option "bias"/, () => sigmoid({ bias: junk([]) })],
      [/^entmax: option "alpha".*got boolean true/, () => entmax({ alpha: junk(true) })],
      [/^pLaplacian: option "p".*got an object/, () => pLaplacian({ features, p: junk({}), mu: 0.5 })],
      [/^pLaplacian: option "p".*got an array/, () => pLaplacian({ features, p: junk([]), mu: 0.5 })],
      [/^pLaplacian: option "p".*got null/, () => pLaplacian({ features, p: junk(null), mu: 0.5 })],
      [/^pLaplacian: option "mu"/, () => pLaplacian({ features, p: 2, mu: junk('0.5') })],
      [/^nap: option "gain"/, () => nap({ gain: junk('1') })],
      [/^scale: the scale must be a tensor reference/, () => scale(junk(true))],
      [/^scale: the scale must be a tensor reference/, () => scale(junk({}))],
      [/^scale: the scale must be a tensor reference/, () => scale(junk('4'))],
      [/^softcap: the cap must be a finite number > 0.*got string/, () => softcap(junk('50'))],
    ];
    for (const [message, call] of cases) expect(specErrorOf(call).message).toMatch(message);
  });

  it('values of the wrong type are refused, not accepted', () => {
    expect(specErrorOf(() => rope({ fraction: junk(true) })).message).toBe(
      'rope: option "fraction" must be a finite number in (0, 1] (got boolean true)',
    );
    expect(specErrorOf(() => rope({ fraction: junk('0.5') })).message).toContain('option "fraction"');
    for (const name of [7, {}, ''])
      expect(specErrorOf(() => attention({ heads: 2, headDim: 8, name: junk(name) })).message).toMatch(
        /^attention: option "name" must be a non-empty string/,
      );
    expect(specErrorOf(() => attention({ heads: 2, headDim: 8, outputs: junk(42) })).message).toMatch(
      /attention "attention": outputs must be an object/,
    );
    expect(
      specErrorOf(() => attention({ heads: 2, headDim: 8, outputs: { logSumExp: junk('yes') } })).message,
    ).toMatch(/outputs.logSumExp must be a boolean/);
    expect(specErrorOf(() => qkNorm({ kind: 'layer', bias: junk('yes') })).message).toMatch(
      /qkNorm: option "bias" must be a boolean/,
    );
    expect(specErrorOf(() => attention({ heads: junk('4'), headDim: 8 })).message).toMatch(
      /heads must be a positive integer/,
    );
    expect(
      specErrorOf(() => documentMask(tensorRef('ids', [1, 6], 'i32'), { sorted: junk(1) })).message,
    ).toMatch(/documentMask: option "sorted" must be a boolean/);
  });

  it('tensorRef checks its name, shape and dtype; builders taking tensors check they got one', () => {
    expect(specErrorOf(() => tensorRef(junk(7), [6])).message).toMatch(
      /tensorRef: the name must be a non-empty string/,
    );
    expect(specErrorOf(() => tensorRef(junk(null), [6])).message).toMatch(/got null/);
    expect(specErrorOf(() => tensorRef('x', junk('6'))).message).toMatch(/tensorRef "x": the shape/);
    expect(specErrorOf(() => tensorRef('x', [2.5])).message).toMatch(/integers >= 0/);
    expect(specErrorOf(() => tensorRef('x', [6], junk('f64'))).message).toMatch(/unknown dtype/);
    expect(specErrorOf(() => keyBias(junk({}))).message).toMatch(
      /^keyBias: the bias must be a tensor reference/,
    );
    expect(specErrorOf(() => keyPadding(junk('lengths'))).message).toMatch(/^keyPadding/);
    expect(specErrorOf(() => maskFrom(junk(null))).message).toMatch(/^maskFrom/);
    expect(specErrorOf(() => lightningDecay(junk(undefined))).message).toMatch(/^lightningDecay/);
    expect(specErrorOf(() => alibi({ slopes: junk([1, 2]) })).message).toMatch(/^alibi: option "slopes"/);
    expect(specErrorOf(() => topTheta({ threshold: junk(0.5) })).message).toMatch(
      /^topTheta: option "threshold"/,
    );
    expect(
      specErrorOf(() => gaussianKernelScore({ queryNormSquared: tensorRef('n', [1, 2, 6]) } as never))
        .message,
    ).toMatch(/option "keyNormSquared" must be a tensor reference/);
    expect(specErrorOf(() => customMask(junk('q < k'))).message).toMatch(
      /^customMask: the predicate must be a function/,
    );
    expect(specErrorOf(() => scoreMod(junk(null))).message).toMatch(
      /^scoreMod: the score mod must be a function/,
    );
  });
});

describe('attention DSL: sizes', () => {
  it('integer sizes stay within i32', () => {
    expect(specErrorOf(() => groupedSoftmax({ blockSize: 2 ** 31 })).message).toMatch(
      /groupedSoftmax: blockSize must be an integer >= 1 and <= 2147483646/,
    );
    expect(specErrorOf(() => groupedSoftmax({ blockSize: 1e308 })).message).toContain('blockSize');
    expect(() => groupedSoftmax({ blockSize: 2 ** 31 - 2 })).not.toThrow();
    for (const option of ['heads', 'headDim', 'kvHeads', 'valueHeads', 'valueDim'])
      expect(specErrorOf(() => attention({ heads: 2, headDim: 8, [option]: 2 ** 31 })).message).toMatch(
        new RegExp(`${option} must be a positive integer`),
      );
    expect(
      specErrorOf(() => weightedGqa({ heads: 2 ** 31, kvHeads: 2, weights: 'learned' })).message,
    ).toMatch(/weightedGqa: heads must be a positive integer/);
    expect(specErrorOf(() => rope({ dims: 2, grid: [2 ** 31, 2] })).message).toMatch(/grid/);
  });
});

describe('attention DSL: forged spec parts', () => {
  const base = { name: 'layers.0.attn', heads: 4, kvHeads: 2, headDim: 8 } as const;

  it('an object carrying a part kind is refused by identity, naming the block and the option', () => {
    const forged: [string, Record<string, unknown>][] = [
      ['mask', { mask: { kind: 'mask', name: 'bogus' } }],
      ['score', { score: { kind: 'scoreMod', name: 'bogus' } }],
      ['score\\[1\\]', { score: [scale(1), { kind: 'scoreMod', name: 'bogus' }] }],
      ['positions', { positions: { kind: 'position', name: 'bogus' } }],
      ['positions', { positions: { kind: 'position', name: 'rope', rope: { dims: 1, fraction: 1 } } }],
      ['qkNorm', { qkNorm: { kind: 'qkNorm', name: 'bogus' } }],
      ['normalizer', { normalizer: { kind: 'normalizer', name: 'softmax', sink: undefined } }],
      ['heads', { heads: { kind: 'heads', heads: 4, kvHeads: 2 } }],
      // A genuine part copied by spreading is no longer a genuine part.
      ['mask', { mask: { ...causal() } }],
    ];
    for (const [option, parts] of forged) {
      const message = specErrorOf(() => attention(junk({ ...base, ...parts }))).message;
      expect(message).toMatch(new RegExp(`attention "layers.0.attn": ${option} must come from`));
      expect(message).toMatch(/that no builder made/);
    }
    for (const [option, value] of [
      ['mask', 42],
      ['positions', 'rope'],
      ['qkNorm', {}],
      ['normalizer', Number.NaN],
      ['score', [{}]],
    ] as const)
      expect(specErrorOf(() => attention(junk({ ...base, [option]: value }))).message).toMatch(
        new RegExp(`attention "layers.0.attn": ${option}(\\[0\\])? must come from`),
      );
  });

  it('and / or / not refuse forged masks', () => {
    const fake = junk<ReturnType<typeof causal>>({ kind: 'mask', name: 'bogus' });
    expect(specErrorOf(() => and(causal(), fake)).message).toMatch(
      /^and: mask 2 must come from a mask factory/,
    );
    expect(specErrorOf(() => or(fake)).message).toMatch(/^or: mask 1/);
    expect(specErrorOf(() => not(fake)).message).toMatch(/^not: the mask/);
  });

  it('genuine parts still build and apply, after any number of refused ones', () => {
    for (let i = 0; i < 3; i++) {
      specErrorOf(() => attention(junk(null)));
      specErrorOf(() => attention(junk({ ...base, mask: { kind: 'mask' } })));
      specErrorOf(() => softmax({ sink: junk('0') }));
    }
    applies(
      attention({
        ...base,
        positions: rope({ fraction: 0.5 }),
        qkNorm: qkNorm({ kind: 'layer', bias: true }),
        score: [scale(0.25), softcap(30)],
        mask: and(causal(), or(slidingWindow(4), prefixLM(1)), not(chunked(64))),
        normalizer: softmax({ sink: 0 }),
        outputs: { rowMax: true },
      }),
    );
    applies(attention({ ...base, heads: weightedGqa({ heads: 4, kvHeads: 2, weights: 'learned' }) }));
    applies(attention({ ...base, positions: alibi(), normalizer: entmax({ alpha: 1.5 }) }));
    // Mask sizes beyond i32 clamp to the i32 max (every position): valid.
    applies(attention({ ...base, mask: slidingWindow(2 ** 31) }));
  });
});
