import { attention, causal } from '@weft/attention';
import { input } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { stepLengths } from '../testing/heavy-hitter-block.js';
import { compileLteCacheBlock, LTE_BLOCK, runLteCacheSteps } from '../testing/lte-cache-block.js';
import { lteMaskKeeps } from '../testing/lte-cache-simulation.js';
import { normwiseError } from '../testing/windowed-reference.js';
import { lteCacheAttention } from './lte-cache-attention.js';
import { lteCacheLayout } from './lte-kv-cache.js';
import { lteRouterParameters } from './lte-router-step.js';

const LENGTH = 26;

describe('LTE KV cache (CPU float64 backend)', () => {
  it('keeps, per KV head, the positions of the sequential window/retained-buffer rule at every step', async () => {
    const budget = 4;
    const program = await compileLteCacheBlock('cpu', budget);
    // Logits around +0.3: most tokens are kept, so the budget of 4 overflows and evicts by score.
    const steps = await runLteCacheSteps(program, stepLengths(LENGTH), { seed: 7, budget, logitBias: 0.3 });
    let headsDiffer = false;
    for (const step of steps) {
      const label = `length ${step.length}`;
      expect(step.kept, label).toEqual(step.simulated.live);
      expect(normwiseError(step.output, step.simulated.output), label).toBeLessThan(1e-6);
      for (const kept of step.kept)
        expect(kept.length).toBeLessThanOrEqual(LTE_BLOCK.sinks + budget + LTE_BLOCK.window);
      if (JSON.stringify(step.kept[0]) !== JSON.stringify(step.kept[1])) headsDiffer = true;
    }
    const last = steps[steps.length - 1]!;
    console.info(
      `LTE cache after ${LENGTH} positions: cached keys per KV head ${last.kept.map((k) => k.length).join(', ')}`,
    );
    // Full cache: sinks + budget + window on each head, and each head has evicted some kept tokens.
    expect(last.kept.map((k) => k.length)).toEqual([9, 9]);
    for (let g = 0; g < 2; g++) {
      const keptScored = last.logits[g]!.filter(
        (c, j) => c > 0 && j >= LTE_BLOCK.sinks && j < LENGTH - LTE_BLOCK.window,
      );
      expect(keptScored.length).toBeGreaterThan(budget);
    }
    expect(headsDiffer).toBe(true);
    program.destroy();
  });

  it('with a budget ≥ every token it is plain causal attention under the LTE mask', async () => {
    const budget = LENGTH;
    const program = await compileLteCacheBlock('cpu', budget);
    const steps = await runLteCacheSteps(program, stepLengths(LENGTH), { seed: 8, budget, logitBias: 0 });
    const { window, sinks } = LTE_BLOCK;
    let dropped = 0;
    for (const step of steps) {
      const expected = step.logits.map((logits) =>
        Array.from({ length: step.length }, (_, j) => j).filter((j) =>
          lteMaskKeeps(logits, step.length, j, window, sinks),
        ),
      );
      expect(step.kept).toEqual(expected);
      expect(step.simulated.live).toEqual(expected);
      expect(normwiseError(step.output, step.simulated.output)).toBeLessThan(1e-6);
      dropped = Math.max(dropped, step.length - Math.min(...step.kept.map((k) => k.length)));
    }
    expect(dropped).toBeGreaterThan(5);
    program.destroy();
  });

  it('refuses invalid layouts and logits, naming the field', () => {
    expect(() => lteCacheLayout({ window: -1, budget: 4, stepTokens: 2 })).toThrow(
      /window must be an integer ≥ 0/,
    );
    expect(() => lteCacheLayout({ window: 4, budget: 0, stepTokens: 2 })).toThrow(
      /budget must be an integer ≥ 1/,
    );
    expect(() => lteCacheLayout({ window: 4, budget: 4, sinks: 1.5, stepTokens: 2 })).toThrow(
      /sinks must be an integer ≥ 0/,
    );
    expect(() => lteCacheLayout({ window: 4, budget: 4, stepTokens: 0 })).toThrow(
      /stepTokens must be an integer ≥ 1/,
    );
    const spec = attention({ heads: 2, kvHeads: 1, headDim: 8, mask: causal(), name: 'attn' });
    expect(() =>
      lteCacheAttention(
        spec,
        {
          query: input('q', [1, 2, 2, 8]),
          key: input('k', [1, 1, 2, 8]),
          value: input('v', [1, 1, 2, 8]),
          logits: input('c', [1, 2, 2]),
          tensors: {},
        },
        { past: input('past', [1], 'i32'), lte: lteCacheLayout({ window: 2, budget: 2, stepTokens: 2 }) },
        'attn',
      ),
    ).toThrow(/router logits must be \[batch, kvHeads, seq\]/);
    // The router reads 3 tokens ahead: a window under 3 would read a provisional keep decision.
    expect(() =>
      lteCacheAttention(
        spec,
        {
          query: input('q', [1, 2, 2, 8]),
          key: input('k', [1, 1, 2, 8]),
          value: input('v', [1, 1, 2, 8]),
          router: lteRouterParameters('attn.lte', 1, 8),
          tensors: {},
        },
        { past: input('past', [1], 'i32'), lte: lteCacheLayout({ window: 2, budget: 2, stepTokens: 2 }) },
        'attn',
      ),
    ).toThrow(/reads 3 tokens ahead: window must be ≥ 3/);
    expect(() => lteRouterParameters('attn.lte', 1, 6)).toThrow(
      /attn\.lte: .*headDim must be a multiple of 4/,
    );
  });
});
