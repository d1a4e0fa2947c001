import { input, makeGraph } from '@weft/ir';
import type { AttentionCatalogEntry } from '../catalog/attention-catalog.js';
import { seeded, seededInRange } from '../catalog/seeded-values.js';
import { aarenStateInputs, applyAaren } from './aaren-recurrent.js';
import { applyLatte, latteStateInputs } from './latte-attention.js';
import { logLinearAttention } from './log-linear-attention.js';
import { logLinearDecodeStep, logLinearStateInputs } from './log-linear-decode.js';
import { logLinearGates } from './log-linear-gates.js';
import { megaEma } from './mega-ema.js';

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;
const CHUNK = 8;
/** Log-linear attention's levels for 24 positions: 0 … ⌈log2 24⌉. */
const LEVELS = 6;

/**
 * Recurrent states built on the gated op, for the zoo (batch 1, 4 heads, dim 16, chunks of 8): one
 * Aaren decode step on a seeded running-max state (m, u, w) (paper 100), Latte's causal form over
 * 24 positions (16 latents) and one Latte decode step on a seeded state (m, λ, S) (paper 81), and
 * Mega's damped EMA over 24 positions × 16 channels × 8 components (paper 70), and log-linear
 * Mamba-2's fused chunk sweep over 24 positions and one decode step on a seeded Fenwick state (paper 109).
 */
export const RECURRENT_STATE_CATALOG: readonly AttentionCatalogEntry[] = [
  {
    mechanism: 'aaren-decode',
    paper: 100,
    build() {
      const row = [1, HEADS, 1, DIM];
      const step = applyAaren(input('k', row), input('v', row), {
        name: 'aaren-decode',
        state: aarenStateInputs(1, HEADS, DIM, 'aaren'),
      });
      const state = step.state!;
      return {
        graph: makeGraph({
          output: step.output,
          'aaren.max': state.max,
          'aaren.keyState': state.keys,
          'aaren.state': state.values,
        }),
        params: { 'aaren-decode.query': seeded(HEADS * DIM, 10) },
        inputs: {
          k: seeded(HEADS * DIM, 2),
          v: seeded(HEADS * DIM, 3),
          // A state after a few positions: m a past score, u = Σ e^(s_i − m) ≥ 1, w = Σ e^(s_i − m) v_i.
          'aaren.max': seededInRange(HEADS, 4, -1, 1),
          'aaren.keyState': seededInRange(HEADS, 5, 1, 3),
          'aaren.state': seeded(HEADS * DIM, 6),
        },
        dims: {},
      };
    },
  },
  {
    mechanism: 'latte',
    paper: 81,
    build() {
      const shape = [1, HEADS, LENGTH, DIM];
      const { output } = applyLatte(input('q', shape), input('k', shape), input('v', shape), {
        name: 'latte',
        chunkSize: CHUNK,
      });
      const count = HEADS * LENGTH * DIM;
      return {
        graph: makeGraph({ output }),
        params: {},
        inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
        dims: {},
      };
    },
  },
  {
    mechanism: 'latte-decode',
    paper: 81,
    build() {
      const row = [1, HEADS, 1, DIM];
      const step = applyLatte(input('q', row), input('k', row), input('v', row), {
        name: 'latte-decode',
        state: latteStateInputs(1, HEADS, DIM, DIM, 'latte'),
      });
      const state = step.state!;
      const max = seededInRange(HEADS * DIM, 4, -0.3, 0.3);
      // λ = m + log Σ e^(k_s − m) >= m.
      const logSum = Float32Array.from(seededInRange(HEADS * DIM, 5, 0.2, 2), (extra, i) => max[i]! + extra);
      return {
        graph: makeGraph({
          output: step.output,
          'latte.max': state.max,
          'latte.logSum': state.logSum,
          'latte.state': state.values,
        }),
        params: {},
        inputs: {
          q: seeded(HEADS * DIM, 1),
          k: seeded(HEADS * DIM, 2),
          v: seeded(HEADS * DIM, 3),
          'latte.max': max,
          'latte.logSum': logSum,
          'latte.state': seeded(HEADS * DIM * DIM, 6),
        },
        dims: {},
      };
    },
  },
  {
    mechanism: 'mega-ema',
    paper: 70,
    build() {
      const channels = 16;
      const components = 8;
      const { output } = megaEma(input('x', [1, LENGTH, channels]), {
        name: 'mega-ema',
        components,
        chunkSize: CHUNK,
      });
      const perChannel = channels * components;
      return {
        graph: makeGraph({ output }),
        params: {
          'mega-ema.delta': seeded(perChannel, 11),
          'mega-ema.alpha': seeded(perChannel, 12),
          'mega-ema.beta': seeded(perChannel, 13),
          'mega-ema.gamma': seeded(perChannel, 14),
          'mega-ema.omega': seeded(channels, 15),
        },
        inputs: { x: seeded(LENGTH * channels, 1) },
        dims: {},
      };
    },
  },
  {
    mechanism: 'log-linear-mamba2',
    paper: 109,
    build() {
      const shape = [1, HEADS, LENGTH, DIM];
      const gates = logLinearGates(
        input('levelLogits', [1, HEADS, LENGTH, LEVELS]),
        input('decayLogits', [1, HEADS, LENGTH]),
      );
      const { output } = logLinearAttention(
        input('q', shape),
        input('k', shape),
        input('v', shape),
        gates.levelWeights,
        {
          name: 'log-linear-mamba2',
          logDecay: gates.logDecay,
          chunkSize: CHUNK,
          // One kernel; its decomposition (the unfused baseline) is the IR chunked form.
          form: 'fused',
        },
      );
      const count = HEADS * LENGTH * DIM;
      return {
        graph: makeGraph({ output }),
        params: {},
        inputs: {
          q: seeded(count, 1),
          k: seeded(count, 2),
          v: seeded(count, 3),
          levelLogits: seeded(HEADS * LENGTH * LEVELS, 4),
          decayLogits: seeded(HEADS * LENGTH, 5),
        },
        dims: {},
      };
    },
  },
  {
    mechanism: 'log-linear-mamba2-decode',
    paper: 109,
    build() {
      const row = [1, HEADS, 1, DIM];
      const gates = logLinearGates(
        input('levelLogits', [1, HEADS, 1, LEVELS]),
        input('decayLogits', [1, HEADS, 1]),
      );
      const step = logLinearDecodeStep(
        {
          query: input('q', row),
          key: input('k', row),
          value: input('v', row),
          ...gates,
          state: logLinearStateInputs(1, HEADS, LEVELS - 1, DIM, DIM, 'log-linear'),
        },
        'log-linear-mamba2-decode',
      );
      return {
        graph: makeGraph({
          output: step.output,
          'log-linear.levels': step.state.levels,
          'log-linear.position': step.state.position,
        }),
        params: {},
        inputs: {
          q: seeded(HEADS * DIM, 1),
          k: seeded(HEADS * DIM, 2),
          v: seeded(HEADS * DIM, 3),
          levelLogits: seeded(HEADS * LEVELS, 4),
          decayLogits: seeded(HEADS, 5),
          'log-linear.levels': seeded(HEADS * (LEVELS - 1) * DIM * DIM, 6),
          // Position 11 (binary 1011): the step reads every level and merges levels 1, 2 into 3.
          'log-linear.position': Float32Array.of(11),
        },
        dims: {},
      };
    },
  },
];
