import { constant, input, SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { applyAttention } from '../apply-attention.js';
import { decodeAttention } from '../op/attention-attrs.js';
import { attentionOp, attentionOpForNormalizer } from '../op/attention-op.js';
import { attention } from '../spec/attention-spec.js';
import { BUILTIN_NORMALIZERS } from './builtin-normalizers.js';
import { defineNormalizer } from './define-normalizer.js';
import { BUILTIN_NORMALIZER_TABLE } from './normalizer-table.js';
import { rowLocalNormalizer } from './row-local.js';
import { SOFTMAX, softmax } from './softmax.js';

const halfRelu = rowLocalNormalizer({ name: 'test.halfRelu', weight: (s) => s.max(0).mul(0.5) });
const halfReluBuilder = defineNormalizer(halfRelu);

describe('normalizer defs', () => {
  it('the built-in table holds every built-in once; split support follows from the split hooks', () => {
    for (const def of BUILTIN_NORMALIZERS) expect(BUILTIN_NORMALIZER_TABLE.get(def.name)).toBe(def);
    const splitting = BUILTIN_NORMALIZERS.filter((def) => def.splitKeys !== undefined).map((def) => def.name);
    expect(splitting.sort()).toEqual([
      'identity',
      'l1',
      'pLaplacian',
      'reluSquared',
      'sigmoid',
      'softmax',
      'topTheta',
    ]);
  });

  it('refuses a built-in name, registers nothing, and a table refuses two defs of one name', () => {
    expect(() => defineNormalizer({ ...SOFTMAX })).toThrow(/name of a built-in normalizer/);
    // Defining is pure: the same def again, or another of its name, is no clash until one table holds both.
    expect(() => defineNormalizer(halfRelu)).not.toThrow();
    const twin = defineNormalizer({ ...halfRelu });
    expect(halfReluBuilder.def).toBe(halfRelu);
    expect(() => BUILTIN_NORMALIZER_TABLE.with(halfRelu).with(twin.def)).toThrow(/defined twice/);
  });

  it('a node of a user normalizer decodes to its def; an unknown name names the block', () => {
    const spec = attention({ name: 'blk', heads: 1, headDim: 4, normalizer: halfReluBuilder() });
    const { output } = applyAttention(spec, {
      query: input('q', [1, 1, 3, 4]),
      key: input('k', [1, 1, 3, 4]),
      value: input('v', [1, 1, 3, 4]),
    });
    expect(decodeAttention(output.attrs, BUILTIN_NORMALIZER_TABLE.with(halfRelu)).normalizerDef).toBe(
      halfRelu,
    );
    expect(output.def).toBe(attentionOpForNormalizer(halfRelu));
    expect(() => decodeAttention({ ...output.attrs, normalizer: { name: 'nothing' } })).toThrow(
      /attention "blk": unknown normalizer/,
    );
    // Without a table that holds it (the built-ins alone), the name is unknown: nothing was registered.
    expect(() => decodeAttention(output.attrs)).toThrow(SpecError);
    expect(attentionOpForNormalizer(halfRelu).normalizers.get('test.halfRelu')).toBe(halfRelu);
    expect(attentionOpForNormalizer(halfRelu)).toBe(attentionOpForNormalizer(halfRelu));
    expect(attentionOpForNormalizer(SOFTMAX)).toBe(attentionOp);
  });

  it('stored attributes are checked when a node is decoded, naming the block and the attribute', () => {
    const spec = attention({ name: 'blk', heads: 1, headDim: 4, normalizer: softmax({ sink: 0 }) });
    const { output } = applyAttention(spec, {
      query: input('q', [1, 1, 3, 4]),
      key: input('k', [1, 1, 3, 4]),
      value: input('v', [1, 1, 3, 4]),
    });
    expect(() => decodeAttention({ ...output.attrs, normalizer: { name: 'softmax', sink: 'zero' } })).toThrow(
      /attention "blk": softmax attribute "sink" is invalid/,
    );
    expect(() =>
      decodeAttention({ ...output.attrs, normalizer: { name: 'identity', outputNorm: 'l2', epsilon: 0 } }),
    ).toThrow(/identity attribute "outputNorm" is invalid/);
    expect(() =>
      decodeAttention(
        { ...output.attrs, normalizer: { name: 'test.halfRelu', x: 1 } },
        BUILTIN_NORMALIZER_TABLE.with(halfRelu),
      ),
    ).toThrow(/test.halfRelu attribute "x" is invalid/);
  });

  it('a row-local parameter must be a free WGSL name', () => {
    const clashing = defineNormalizer(
      rowLocalNormalizer({
        name: 'test.clash',
        parameters: () => ({ acc: constant(1) }),
        weight: (s, p) => s.mul(p.acc),
      }),
    );
    expect(() => attention({ name: 'blk', heads: 1, headDim: 4, normalizer: clashing() })).not.toThrow();
    expect(() =>
      applyAttention(attention({ name: 'blk', heads: 1, headDim: 4, normalizer: clashing() }), {
        query: input('q', [1, 1, 3, 4]),
        key: input('k', [1, 1, 3, 4]),
        value: input('v', [1, 1, 3, 4]),
      }),
    ).toThrow(/test.clash: parameter "acc" is no free WGSL name/);
  });
});
