import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.js';
import {
  lteVisibility,
  natsVisibility,
  tinyLlamaForwardFloat64,
  type VisibilityRule,
} from '../testing/learned-eviction-forward.js';
import { TINY_LLAMA } from '../testing/tiny-specs.js';
import { normwiseError, randomTokens } from '../testing/windowed-reference.js';
import { type CachePolicy, lte, nats } from './cache-policy.js';
import { InferenceCache } from './inference-cache.js';

const VOCAB = 48;
// Prefill 4, one token, a step of 3, then one token per step: multi-token steps mid-sequence too.
const STEPS = [4, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];

/** Each step's last logits through compileModel's step program against the float64 forward of the prefix. */
async function compareSteps(
  policy: CachePolicy,
  rule: (params: Record<string, Float32Array>) => VisibilityRule,
  seed: number,
) {
  const model = await compileModel(TINY_LLAMA, { device: 'cpu', seed, cache: { policy, prefillChunk: 4 } });
  const tokens = randomTokens(
    STEPS.reduce((a, b) => a + b, 0),
    seed + 11,
  );
  const visibility = rule(model.parameters);
  const errors: number[] = [];
  let causalGap = 0;
  let past = 0;
  for (const seq of STEPS) {
    const logits = await model.step(tokens.slice(past, past + seq), past);
    past += seq;
    const prefix = tokens.slice(0, past);
    const expected = tinyLlamaForwardFloat64(model.parameters, prefix, visibility).slice((past - 1) * VOCAB);
    errors.push(normwiseError(logits, expected));
    const causal = tinyLlamaForwardFloat64(model.parameters, prefix, () => () => true);
    causalGap = Math.max(causalGap, normwiseError(logits, causal.slice((past - 1) * VOCAB)));
  }
  return { model, errors, causalGap, length: past };
}

describe('NAtS and LTE cache policies through compileModel (CPU float64 backend)', () => {
  it('the float64 forward with every key visible is the model (its oracle is checked first)', async () => {
    const model = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 4 });
    const tokens = randomTokens(9, 2);
    const causal = tinyLlamaForwardFloat64(model.parameters, tokens, () => () => true);
    const error = normwiseError(model.referenceLogits(tokens), causal.slice(8 * VOCAB));
    expect(error).toBeLessThan(1e-9);
    model.destroy();
  });

  it('NAtS: prefill and every decode step equal the dense float64 NAtS forward, evicting on the device', async () => {
    const window = 2;
    // 24 slots hold every live key of 18 positions: the cap never binds, the NAtS rule alone evicts.
    const { model, errors, causalGap, length } = await compareSteps(
      nats(24, window),
      (params) => natsVisibility(params, window),
      5,
    );
    console.info(
      `nats(24, 2) vs float64 NAtS forward: max ${Math.max(...errors).toExponential(1)}; vs plain causal ${causalGap.toExponential(1)}; evicted ${model.cache!.evicted} of ${length}`,
    );
    for (const error of errors) expect(error).toBeLessThan(1e-7);
    // The rule changed the model: the plain causal logits differ.
    expect(causalGap).toBeGreaterThan(1e-3);
    expect(model.cache!.evicted).toBeGreaterThan(0);
    expect(model.cache!.describe()).toBe('nats(24, 2), 24 slots per KV head');
    model.destroy();
  });

  it('LTE: with a budget for every token, each step equals the dense float64 LTE forward (router from the paper)', async () => {
    const options = { window: 3, budget: 24, sinks: 2 };
    const { model, errors, causalGap } = await compareSteps(
      lte(options.window, options.budget, options.sinks),
      (params) => lteVisibility(params, options),
      6,
    );
    console.info(
      `lte(3, 24, 2) vs float64 LTE forward: max ${Math.max(...errors).toExponential(1)}; vs plain causal ${causalGap.toExponential(1)}; evicted ${model.cache!.evicted}`,
    );
    for (const error of errors) expect(error).toBeLessThan(1e-7);
    expect(causalGap).toBeGreaterThan(1e-3);
    expect(model.cache!.evicted).toBeGreaterThan(0);
    model.destroy();
  });

  it('LTE: past its budget, each step equals the float64 forward with the sequential buffer rule', async () => {
    const options = { window: 3, budget: 2, sinks: 2 };
    const { model, errors } = await compareSteps(
      lte(options.window, options.budget, options.sinks),
      (params) => lteVisibility(params, options),
      7,
    );
    console.info(
      `lte(3, 2, 2) vs float64 LTE forward with budget: max ${Math.max(...errors).toExponential(1)}`,
    );
    for (const error of errors) expect(error).toBeLessThan(1e-7);
    // 18 positions, at most sinks + budget + window = 7 kept per KV head.
    expect(model.cache!.evicted).toBeGreaterThanOrEqual(18 - 7);
    model.destroy();
  });

  it('generate keeps going past the capacity under both policies and reports the evictions', async () => {
    for (const policy of [nats(6, 1), lte(3, 2, 1)]) {
      const model = await compileModel(TINY_LLAMA, {
        device: 'cpu',
        seed: 8,
        cache: { policy, prefillChunk: 4 },
      });
      const result = await model.generate(randomTokens(9, 3), { maxTokens: 12 });
      expect(result.tokens).toHaveLength(12);
      expect(result.stopReason).toBe('maxTokens');
      expect(result.evictedTokens).toBeGreaterThanOrEqual(20 - 6);
      expect(result.cachePolicy).toMatch(/^(nats\(6, 1\)|lte\(3, 2, 1\)), 6 slots per KV head$/);
      model.destroy();
    }
  });

  it('loads the scorers with the other weights by name, and refuses weights without them', async () => {
    const policy = lte(3, 4, 1);
    const drawn = await compileModel(TINY_LLAMA, { device: 'cpu', seed: 12, cache: { policy } });
    const router = Object.keys(drawn.parameters).filter((name) => name.includes('.attn.lte.'));
    expect(router).toContain('layers.1.attn.lte.conv1.weight');
    expect(router).toHaveLength(2 * 8);
    const loaded = await compileModel(TINY_LLAMA, {
      device: 'cpu',
      weights: drawn.parameters,
      cache: { policy },
    });
    const tokens = randomTokens(6, 1);
    expect(normwiseError(await loaded.step(tokens, 0), await drawn.step(tokens, 0))).toBe(0);
    const { 'layers.0.attn.lte.conv2.bias': _dropped, ...without } = drawn.parameters;
    await expect(
      compileModel(TINY_LLAMA, { device: 'cpu', weights: without, cache: { policy } }),
    ).rejects.toThrow(/layers\.0\.attn\.lte\.conv2\.bias/);
    drawn.destroy();
    loaded.destroy();
  });

  it('refuses invalid policies, naming the field', async () => {
    expect(() => nats(0)).toThrow(/nats: capacity must be an integer ≥ 1/);
    expect(() => nats(8, -1)).toThrow(/nats: window must be an integer ≥ 0/);
    expect(() => lte(2, 4)).toThrow(/lte: window must be an integer ≥ 3/);
    expect(() => lte(4, 0)).toThrow(/lte: budget must be an integer ≥ 1/);
    expect(() => lte(4, 4, 1.5)).toThrow(/lte: sinks must be an integer ≥ 0/);
    expect(() => new InferenceCache(16, { policy: { kind: 'lte', window: 8 } as never })).toThrow(
      /lte: budget must be an integer/,
    );
    const odd = { ...TINY_LLAMA, config: { ...TINY_LLAMA.config, headDim: 6 } };
    await expect(
      compileModel(odd as typeof TINY_LLAMA, { device: 'cpu', cache: { policy: lte(4, 4) } }),
    ).rejects.toThrow(/layers\.0\.attn\.lte: the LTE router halves the channels twice/);
  });
});
