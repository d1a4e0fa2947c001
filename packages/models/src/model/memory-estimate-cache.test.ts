import { readFileSync } from 'node:fs';
import { byteSize, graphNodes, maxElementCount, runPipeline } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import {
  type CachePolicy,
  heavyHitter,
  landmark,
  lte,
  nats,
  rollingWindow,
  sinkPlusWindow,
} from '../generate/cache-policy.js';
import { InferenceCache, type InferenceCacheOptions } from '../generate/inference-cache.js';
import { parseModelSpec, parseModelSpecJSON } from '../spec/model-spec-json.js';
import type { AnyModelSpec } from '../spec/model-spec-v2-types.js';
import { LINEAR_HYBRID_DECODER_SPEC } from '../testing/linear-hybrid-decoder.js';
import { LOG_LINEAR_HYBRID_DECODER_SPEC } from '../testing/log-linear-hybrid-decoder.js';
import { MEGA_HYBRID_DECODER_SPEC } from '../testing/mega-hybrid-decoder.js';
import { estimateSpecMemory } from './memory-estimate.js';
import { buildModelGraph } from './model-definition.js';

const TINY_DECODER = parseModelSpecJSON(
  readFileSync(new URL('../../../../apps/cli/examples/tiny-decoder.json', import.meta.url), 'utf8'),
);

/**
 * Bytes of every state tensor of the step program `compileModel(spec, { cache })` builds: each state
 * input and its next value, at its own dtype's size.
 */
function stepStateBytes(spec: AnyModelSpec, cache: InferenceCacheOptions | undefined): number {
  const inference = cache === undefined ? undefined : new InferenceCache(spec.config.maxSeq, cache);
  const { graph, state } = buildModelGraph(spec, {
    mode: 'step',
    ...(inference === undefined
      ? {}
      : { cache: { layout: inference.layout, maxStepTokens: inference.maxStepTokens } }),
  });
  const stateInputs = graphNodes(graph).filter(
    (node) => node.op === 'input' && String(node.attrs.name) in state,
  );
  expect(stateInputs.map((node) => String(node.attrs.name)).sort()).toEqual(Object.keys(state).sort());
  const tensors = [...stateInputs, ...Object.values(state).map((next) => graph.outputs[next]!)];
  return tensors.reduce((sum, node) => sum + maxElementCount(node.shape) * byteSize(node.dtype), 0);
}

// maxSeq 32, 2 layers, 2 KV heads of dim 8: small layouts of every policy, each unlike the default.
const POLICIES: readonly [string, InferenceCacheOptions][] = [
  ['error', { policy: 'error' }],
  ['rollingWindow(8), chunk 4', { policy: rollingWindow(8), prefillChunk: 4 }],
  ['rollingWindow(8), chunk 1', { policy: rollingWindow(8), prefillChunk: 1 }],
  ['sinkPlusWindow(2, 8)', { policy: sinkPlusWindow(2, 8), prefillChunk: 4 }],
  ['heavyHitter(4, 4)', { policy: heavyHitter(4, 4), prefillChunk: 4 }],
  ['nats(8, 4)', { policy: nats(8, 4), prefillChunk: 4 }],
  ['lte(4, 8, 2)', { policy: lte(4, 8, 2), prefillChunk: 4 }],
  ['landmark(4, 2)', { policy: landmark(4, 2) }],
];

describe('the memory estimate sizes the KV caches of the cache policy', () => {
  it('without a cache option: the right-aligned caches of maxSeq slots, as the step program', () => {
    const bytes = stepStateBytes(TINY_DECODER, undefined);
    // 2 layers × keys and values [1, 2, 32, 8], two copies, f32.
    expect(bytes).toBe(2 * 2 * 2 * 32 * 8 * 2 * 4);
    expect(estimateSpecMemory(TINY_DECODER).cacheBytes).toBe(bytes);
  });

  it.each(POLICIES)('%s: the estimate equals the step program state bytes', (_name, cache) => {
    const estimate = estimateSpecMemory(TINY_DECODER, 1, { cache });
    const bytes = stepStateBytes(TINY_DECODER, cache);
    expect(estimate.cacheBytes).toBe(bytes);
    const plain = estimateSpecMemory(TINY_DECODER);
    expect(estimate.parameterBytes).toBe(plain.parameterBytes);
    expect(estimate.totalBytes - plain.totalBytes).toBe(bytes - plain.cacheBytes);
  });

  it('counts what each policy keeps beyond keys and values', () => {
    const bytes = (policy: CachePolicy, prefillChunk?: number) =>
      estimateSpecMemory(TINY_DECODER, 1, {
        cache: { policy, ...(prefillChunk === undefined ? {} : { prefillChunk }) },
      }).cacheBytes;
    // Per layer and copy, f32/i32: keys and values 2 heads × capacity × 8 each.
    const keysAndValues = (capacity: number) => 2 * 2 * capacity * 8 * 4 * 2 * 2;
    // A ring of window + chunk − 1 slots (plus the sinks).
    expect(bytes(rollingWindow(8), 4)).toBe(keysAndValues(11));
    expect(bytes(sinkPlusWindow(2, 8), 4)).toBe(keysAndValues(13));
    // Positions and scores (heavy hitter), positions and types (NAtS) per KV head and slot.
    const tracked = (capacity: number) => 2 * 2 * capacity * 4 * 2 * 2;
    expect(bytes(heavyHitter(4, 4))).toBe(keysAndValues(8) + tracked(8));
    expect(bytes(nats(8, 4))).toBe(keysAndValues(8) + tracked(8));
    // LTE: sinks + budget + window slots, and the router's context of 6 tokens' concat(k, v).
    expect(bytes(lte(4, 8, 2))).toBe(keysAndValues(14) + tracked(14) + 2 * 2 * 6 * 16 * 4 * 2);
    // Landmark: 8 blocks of 4 positions and a landmark slot each, more than maxSeq.
    expect(bytes(landmark(4, 2))).toBe(keysAndValues(40));
    expect(bytes(landmark(4, 2))).toBeGreaterThan(estimateSpecMemory(TINY_DECODER).cacheBytes);
  });

  it.each([
    ['linear', LINEAR_HYBRID_DECODER_SPEC, [{ policy: rollingWindow(4), prefillChunk: 2 }]],
    ['log-linear', LOG_LINEAR_HYBRID_DECODER_SPEC, [{ prefillChunk: 1 }]],
    ['Mega', MEGA_HYBRID_DECODER_SPEC, []],
  ] as const)(
    'a v2 %s hybrid: the policy sizes the softmax layers, the others keep their state',
    (_name, json, caches: readonly InferenceCacheOptions[]) => {
      const spec = parseModelSpec(json);
      for (const cache of [undefined, ...caches]) {
        expect(estimateSpecMemory(spec, 1, cache === undefined ? {} : { cache }).cacheBytes).toBe(
          stepStateBytes(spec, cache),
        );
      }
    },
  );

  it('refuses an invalid cache option as compileModel would', () => {
    expect(() =>
      estimateSpecMemory(TINY_DECODER, 1, { cache: { policy: landmark(4, 2), prefillChunk: 2 } }),
    ).toThrow(/prefillChunk must be 1 under landmark/);
    expect(() => estimateSpecMemory(TINY_DECODER, 1, { cache: { prefillChunk: 33 } })).toThrow(
      /prefillChunk/,
    );
  });
});

describe('the memory estimate under f16 storage', () => {
  it('halves the activations but the f32 logits, and the parameters; caches stay f32', () => {
    const f32 = estimateSpecMemory(TINY_DECODER, 2);
    const half = estimateSpecMemory(TINY_DECODER, 2, { halfStorage: true });
    const logitBytes = 2 * 32 * 64 * 4;
    expect(half.activationBytes).toBe((f32.activationBytes - logitBytes) / 2 + logitBytes);
    expect(half.parameterBytes).toBe(f32.parameterBytes / 2);
    expect(half.cacheBytes).toBe(f32.cacheBytes);
    expect(half.totalBytes).toBe(
      f32.totalBytes - (f32.activationBytes - half.activationBytes) - f32.parameterBytes / 2,
    );
  });

  it('stays above the peak of live activations the memory planner places, with and without f16 storage', () => {
    const { graph } = buildModelGraph(TINY_DECODER, { mode: 'forward', batch: 2 });
    const peaks: number[] = [];
    const paramBytes: number[] = [];
    for (const halfStorage of [false, true]) {
      const { plan, memory } = runPipeline(graph, { halfStorage });
      const activations = [...memory.slots.values()].filter(
        (slot) => slot.role === 'intermediate' || slot.role === 'output',
      );
      expect(activations.some((slot) => slot.halfStored === true)).toBe(halfStorage);
      let peak = 0;
      for (let kernel = 0; kernel < plan.kernels.length; kernel++) {
        const live = activations.filter((slot) => slot.liveFrom <= kernel && kernel <= slot.liveTo);
        peak = Math.max(
          peak,
          live.reduce((sum, slot) => sum + slot.bytes, 0),
        );
      }
      const estimate = estimateSpecMemory(TINY_DECODER, 2, { halfStorage });
      expect(peak).toBeLessThanOrEqual(estimate.activationBytes);
      // The parameters' slots: 2 bytes an element under f16 storage, within the estimate.
      const params = [...memory.slots.values()].filter((slot) => slot.role === 'param');
      expect(params.every((slot) => (slot.halfStored === true) === halfStorage)).toBe(true);
      paramBytes.push(params.reduce((sum, slot) => sum + slot.bytes, 0));
      expect(paramBytes.at(-1)).toBeLessThanOrEqual(estimate.parameterBytes);
      peaks.push(peak);
    }
    console.info(
      `tiny decoder forward, batch 2: peak live activations f32 ${peaks[0]} B, f16 storage ${peaks[1]} B`,
    );
    expect(peaks[1]).toBeLessThan(peaks[0]!);
    expect(paramBytes[1]).toBe(paramBytes[0]! / 2);
  });
});
