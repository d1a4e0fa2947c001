import {
  attention,
  customMask,
  defineNormalizer,
  type Mask,
  rowLocalNormalizer,
  type ScoreMod,
  scoreMod,
} from '@weft/attention';
import { constant, SpecError, type TensorRef, tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { attentionFromJSON } from './attention-json.js';
import { attentionHash } from './attention-json.test-support.js';

// A normalizer with an option (a slope) and one without, as users define them (extending-weft.md).
const leakyRelu = defineNormalizer(
  rowLocalNormalizer<{ readonly slope: number }, 'slope'>({
    name: 'test.leakyRelu',
    options(options) {
      const slope = options?.slope ?? 0.01;
      if (typeof slope !== 'number' || !(slope >= 0))
        throw new SpecError('test.leakyRelu: slope must be a number >= 0');
      return { slope };
    },
    parameters: (options) => ({ slope: constant(options.slope) }),
    weight: (score, { slope }) => score.max(score.mul(slope)),
  }),
);
const reluOnly = defineNormalizer(rowLocalNormalizer({ name: 'test.relu', weight: (score) => score.max(0) }));

function everyNth(options: Readonly<Record<string, unknown>>): Mask {
  const every = options.every as number;
  return customMask(({ q, k }) => q.sub(k).mod(every).eq(0), `everyNth(${every})`);
}

function addBias(options: Readonly<Record<string, unknown>>): ScoreMod {
  const bias = options.bias as TensorRef;
  return scoreMod((score, { k }) => score.add(bias.at(k)), `addBias(${bias.name})`);
}

const extensions = { normalizers: [leakyRelu, reluOnly], masks: { everyNth }, scoreMods: { addBias } };
const base = { heads: 4, headDim: 16 };

describe("attentionFromJSON: the user's own parts", () => {
  it('builds user normalizers, masks and score mods by kind, with tensor references converted', () => {
    const bias = tensorRef('bias', [24]);
    const json = {
      ...base,
      score: [{ kind: 'addBias', bias: { tensor: 'bias', shape: [24] } }],
      mask: { kind: 'and', masks: [{ kind: 'causal' }, { kind: 'everyNth', every: 3 }] },
      normalizer: { kind: 'test.leakyRelu', slope: 0.1 },
    };
    const spec = attentionFromJSON(json, { extensions });
    const expected = attention({
      ...base,
      score: [addBias({ bias })],
      normalizer: leakyRelu({ slope: 0.1 }),
    });
    expect(spec.normalizer.def).toBe(leakyRelu.def);
    expect(spec.mask?.description).toBe('and(causal(bottom-right), everyNth(3))');
    expect(spec.score.map((mod) => mod.description)).toEqual(['addBias(bias)']);
    expect(attentionHash(attentionFromJSON({ ...json, mask: undefined }, { extensions }), [bias])).toBe(
      attentionHash(expected, [bias]),
    );
    expect(
      attentionFromJSON({ ...base, normalizer: { kind: 'test.relu' } }, { extensions }).normalizer.def,
    ).toBe(reluOnly.def);
  });

  it('lists the user kinds among the known ones, and refuses them without the extension', () => {
    expect(() =>
      attentionFromJSON({ ...base, normalizer: { kind: 'test.leakyrelu' } }, { extensions }),
    ).toThrow(
      /normalizer\.kind: expected a normalizer kind: softmax, .*, test\.leakyRelu, test\.relu; got "test\.leakyrelu" \(did you mean "test\.leakyRelu"\?\)/,
    );
    expect(() => attentionFromJSON({ ...base, mask: { kind: 'everyNth', every: 2 } })).toThrow(
      /mask\.kind: expected a mask kind: .*; got "everyNth"/,
    );
  });

  it("passes a user builder's own errors on under the JSON path", () => {
    expect(() =>
      attentionFromJSON(
        { ...base, normalizer: { kind: 'test.leakyRelu', slope: -1 } },
        { extensions, path: 'attn' },
      ),
    ).toThrow(/^attn\.normalizer: test\.leakyRelu: slope must be a number >= 0/);
  });

  it('refuses user kinds that shadow a built-in, and values that are not builders', () => {
    expect(() => attentionFromJSON(base, { extensions: { masks: { causal: everyNth } } })).toThrow(
      /mask kind "causal" is a built-in/,
    );
    expect(() => attentionFromJSON(base, { extensions: { normalizers: [leakyRelu, leakyRelu] } })).toThrow(
      /normalizer kind "test\.leakyRelu" is defined twice/,
    );
    expect(() =>
      attentionFromJSON(base, { extensions: { scoreMods: { addBias: 3 as unknown as typeof addBias } } }),
    ).toThrow(/the score mod extension "addBias" must be a function/);
  });
});
