import { input, makeGraph, type Node, neg, sigmoid, softplus } from '@weft/ir';
import type { AttentionCatalogEntry } from '../catalog/attention-catalog.js';
import { seeded } from '../catalog/seeded-values.js';
import { gatedDeltaNet, gatedDeltaNetDecodeStep, gatedDeltaNetStateInputs } from './gated-deltanet.js';
import { logLinearStateInputs } from './log-linear-decode.js';
import { logLinearGatedDeltaNet, logLinearGatedDeltaNetDecodeStep } from './log-linear-gated-deltanet.js';

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;
/** Log-linear attention's levels for 24 positions: 0 … ⌈log2 24⌉. */
const LEVELS = 6;
/** Positions per chunk of the chunked log-linear entry. */
const CHUNK = 4;

/**
 * The gates from seeded pre-activations as Gated DeltaNet's layer makes them: β = sigmoid(·) and
 * g = −softplus(·) (the layer's −exp(A_log)·softplus(a + dt_bias) with A_log = dt_bias = 0), plus
 * λ = softplus(·) ≥ 0 per level for the log-linear instance (stand-ins for the projections of x_t).
 */
function gates(shape: readonly number[]): { beta: Node; logDecay: Node } {
  return {
    beta: sigmoid(input('betaLogits', shape)),
    logDecay: neg(softplus(input('decayLogits', shape))),
  };
}

function gateInputs(positions: number): Record<string, Float32Array> {
  return {
    betaLogits: seeded(HEADS * positions, 4),
    decayLogits: seeded(HEADS * positions, 5),
  };
}

function qkv(positions: number): Record<string, Float32Array> {
  const count = HEADS * positions * DIM;
  return { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) };
}

/**
 * The gated delta rule for the zoo (batch 1, 4 heads, dim 16): Gated DeltaNet's parallel form over
 * 24 positions with its prefill state, and one decode step on a seeded state (the layers of paper
 * 82's hybrids); log-linear Gated DeltaNet's parallel form over 24 positions (6 Fenwick levels), its
 * chunked form (chunks of 4, with its prefill level states) and one decode step at position 11 on seeded level states (paper 109's second instance).
 */
export const DELTA_RULE_CATALOG: readonly AttentionCatalogEntry[] = [
  {
    mechanism: 'gated-deltanet',
    paper: 82,
    build() {
      const shape = [1, HEADS, LENGTH, DIM];
      const { output, state } = gatedDeltaNet(input('q', shape), input('k', shape), input('v', shape), {
        name: 'gated-deltanet',
        ...gates([1, HEADS, LENGTH]),
        returnState: true,
      });
      return {
        graph: makeGraph({ output, state: state!.values }),
        params: {},
        inputs: { ...qkv(LENGTH), ...gateInputs(LENGTH) },
        dims: {},
      };
    },
  },
  {
    mechanism: 'gated-deltanet-decode',
    paper: 82,
    build() {
      const row = [1, HEADS, 1, DIM];
      const step = gatedDeltaNetDecodeStep(
        {
          query: input('q', row),
          key: input('k', row),
          value: input('v', row),
          ...gates([1, HEADS, 1]),
          state: gatedDeltaNetStateInputs(1, HEADS, DIM, DIM, 'gdn'),
        },
        'gated-deltanet-decode',
      );
      return {
        graph: makeGraph({ output: step.output, 'gdn.state': step.state.values }),
        params: {},
        inputs: { ...qkv(1), ...gateInputs(1), 'gdn.state': seeded(HEADS * DIM * DIM, 6) },
        dims: {},
      };
    },
  },
  {
    mechanism: 'log-linear-gated-deltanet',
    paper: 109,
    build() {
      const shape = [1, HEADS, LENGTH, DIM];
      const { output } = logLinearGatedDeltaNet(
        input('q', shape),
        input('k', shape),
        input('v', shape),
        softplus(input('levelLogits', [1, HEADS, LENGTH, LEVELS])),
        { name: 'log-linear-gated-deltanet', ...gates([1, HEADS, LENGTH]) },
      );
      return {
        graph: makeGraph({ output }),
        params: {},
        inputs: {
          ...qkv(LENGTH),
          ...gateInputs(LENGTH),
          levelLogits: seeded(HEADS * LENGTH * LEVELS, 7),
        },
        dims: {},
      };
    },
  },
  {
    // Chunks of 4 on 24 positions: 6 chunks, levels 0 … 2 inside them, chunk levels 1 … 3 (λ
    // columns 3 … 5) carried as delta-rule states and merged after chunks 1, 3 and 5.
    mechanism: 'log-linear-gated-deltanet-chunked',
    paper: 109,
    build() {
      const shape = [1, HEADS, LENGTH, DIM];
      const { output, state } = logLinearGatedDeltaNet(
        input('q', shape),
        input('k', shape),
        input('v', shape),
        softplus(input('levelLogits', [1, HEADS, LENGTH, LEVELS])),
        {
          name: 'log-linear-gated-deltanet-chunked',
          ...gates([1, HEADS, LENGTH]),
          form: 'chunked',
          chunkSize: CHUNK,
          returnState: true,
        },
      );
      return {
        graph: makeGraph({ output, levels: state!.levels }),
        params: {},
        inputs: {
          ...qkv(LENGTH),
          ...gateInputs(LENGTH),
          levelLogits: seeded(HEADS * LENGTH * LEVELS, 7),
        },
        dims: {},
      };
    },
  },
  {
    mechanism: 'log-linear-gated-deltanet-decode',
    paper: 109,
    build() {
      const row = [1, HEADS, 1, DIM];
      const step = logLinearGatedDeltaNetDecodeStep(
        {
          query: input('q', row),
          key: input('k', row),
          value: input('v', row),
          ...gates([1, HEADS, 1]),
          levelWeights: softplus(input('levelLogits', [1, HEADS, 1, LEVELS])),
          state: logLinearStateInputs(1, HEADS, LEVELS - 1, DIM, DIM, 'log-linear'),
        },
        'log-linear-gated-deltanet-decode',
      );
      return {
        graph: makeGraph({
          output: step.output,
          'log-linear.levels': step.state.levels,
          'log-linear.position': step.state.position,
        }),
        params: {},
        inputs: {
          ...qkv(1),
          ...gateInputs(1),
          levelLogits: seeded(HEADS * LEVELS, 7),
          'log-linear.levels': seeded(HEADS * (LEVELS - 1) * DIM * DIM, 6),
          // Position 11 (binary 1011): the step reads every level and merges levels 1, 2 into 3.
          'log-linear.position': Float32Array.of(11),
        },
        dims: {},
      };
    },
  },
];
