import { add, input, makeGraph, mul, type Node } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import type { AttentionCatalogEntry } from '../catalog/attention-catalog.js';
import { seeded, seededInRange } from '../catalog/seeded-values.js';
import { fastmaxQueryKeyNorm } from '../fastmax-query-key-norm.js';
import { causal, chunked } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { attention } from '../spec/attention-spec.js';
import { aarenOperands } from './aaren-attention.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { DELTA_RULE_CATALOG } from './delta-rule-catalog.js';
import { efficientAttentionFeatures } from './efficient-attention.js';
import { expFeatures, reglaScale } from './exp-features.js';
import { favorFeatures } from './favor-features.js';
import { taylorFeatures } from './feature-expansions.js';
import { elu1, identity } from './feature-maps.js';
import { galerkinOperands } from './galerkin-attention.js';
import { type LinearAttentionSpec, linearAttention } from './linear-attention-spec.js';
import { lightningLinearDecay, retentionDecay } from './linear-decay.js';
import { LINEAR_MAPS_CATALOG } from './linear-maps-catalog.js';
import { llnFeatures } from './lln-features.js';
import { MEGA_BLOCK_CATALOG } from './mega-block-entries.js';
import { transnormerOutputNorm } from './output-norm.js';
import { RECURRENT_STATE_CATALOG } from './recurrent-state-catalog.js';
import { reglaRefinedGate } from './regla-gate.js';

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;
const CHUNK = 8;

/**
 * q, k, v `[1, 4, 24, 16]` seeded 1, 2, 3 (the attention catalog's seeds), and the output; `rows`
 * maps the query and key inputs first (Fastmax's normalization).
 */
function sequenceEntry(
  mechanism: string,
  paper: number,
  spec: LinearAttentionSpec,
  rows: (x: Node) => Node = (x) => x,
): AttentionCatalogEntry {
  return {
    mechanism,
    paper,
    build() {
      const shape = [1, HEADS, LENGTH, DIM];
      const operand = (name: string): Node => input(name, shape);
      const { output } = applyLinearAttention(spec, {
        query: rows(operand('q')),
        key: rows(operand('k')),
        value: operand('v'),
      });
      const count = HEADS * LENGTH * DIM;
      return {
        graph: makeGraph({ output }),
        params: {},
        inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
        dims: {},
      };
    },
  };
}

const elu1Spec = (causal: boolean, name: string) =>
  linearAttention({ heads: HEADS, headDim: DIM, featureMap: elu1(), causal, chunkSize: CHUNK, name });

/**
 * The G4 instances of `@weft/attention/linear` for the zoo (batch 1, 4 heads, 24 positions, dim
 * 16, chunks of 8): the linear transformer's ELU+1 attention with a denominator (non-causal, causal,
 * and one decode step on a seeded state), Lightning attention's chunked form, retention's
 * decay (RetNet's γ_h) without its GroupNorm, TransNormer's causal NormAttention, and Fastmax's
 * linear form (degree-2 Taylor features on its normalized queries and keys), and Performer's
 * FAVOR+ (64 seeded orthogonal random features, non-causal), and LLN attention alone and mixed
 * half and half with its diagonal-block softmax (LLN+Diag), ReGLA (its feature maps, refined
 * data-dependent gate and output LayerNorm), Efficient Attention's softmax normalizers and
 * Galerkin attention (per-head LayerNorm on K and V, 1/n), and Aaren (a learned query's causal
 * softmax as a one-feature prefix scan), then the recurrent states on the gated op
 * (`RECURRENT_STATE_CATALOG`: Aaren's running-max decode step, Latte, Mega's EMA, log-linear
 * Mamba-2), the gated delta rule (`DELTA_RULE_CATALOG`: Gated DeltaNet and log-linear Gated
 * DeltaNet, parallel forms and decode steps), Mega's whole
 * gated block around its EMA (`MEGA_BLOCK_CATALOG`: encoder and causal forms), then
 * NaLaFormer's norm-aware features and vision block, TransNormerLLM's LRPE, MALA and LAWCAT
 * (`LINEAR_MAPS_CATALOG`).
 */
export const LINEAR_ATTENTION_CATALOG: readonly AttentionCatalogEntry[] = [
  sequenceEntry('linear-transformer-elu1', 78, elu1Spec(false, 'linear-transformer-elu1')),
  sequenceEntry('linear-transformer-elu1-causal', 78, elu1Spec(true, 'linear-transformer-elu1-causal')),
  {
    mechanism: 'linear-transformer-elu1-decode',
    paper: 78,
    build() {
      const spec = elu1Spec(true, 'linear-transformer-elu1-decode');
      const row = [1, HEADS, 1, DIM];
      const state = {
        values: input('state', [1, HEADS, DIM, DIM]),
        keys: input('keyState', [1, HEADS, DIM]),
      };
      const step = applyLinearAttention(spec, {
        query: input('q', row),
        key: input('k', row),
        value: input('v', row),
        state,
      });
      return {
        graph: makeGraph({ output: step.output, state: step.state!.values, keyState: step.state!.keys! }),
        params: {},
        inputs: {
          q: seeded(HEADS * DIM, 1),
          k: seeded(HEADS * DIM, 2),
          v: seeded(HEADS * DIM, 3),
          // A state after a few positions: S any sign, z = Σ φ(k) > 0.
          state: seeded(HEADS * DIM * DIM, 4),
          keyState: seededInRange(HEADS * DIM, 5, 0.5, 3),
        },
        dims: {},
      };
    },
  },
  sequenceEntry(
    'lightning-attention-chunked',
    63,
    linearAttention({
      heads: HEADS,
      headDim: DIM,
      featureMap: identity(),
      denominator: false,
      decay: lightningLinearDecay(HEADS, 2, 6),
      causal: true,
      chunkSize: CHUNK,
      name: 'lightning-attention-chunked',
    }),
  ),
  sequenceEntry(
    'retention-decay-stand-in',
    19,
    linearAttention({
      heads: HEADS,
      headDim: DIM,
      featureMap: identity(),
      denominator: false,
      decay: retentionDecay(HEADS),
      causal: true,
      chunkSize: CHUNK,
      name: 'retention-decay-stand-in',
    }),
  ),
  sequenceEntry(
    'transnormer-norm-attention',
    49,
    linearAttention({
      heads: HEADS,
      headDim: DIM,
      featureMap: elu1(),
      denominator: false,
      outputNorm: transnormerOutputNorm(),
      causal: true,
      chunkSize: CHUNK,
      name: 'transnormer-norm-attention',
    }),
  ),
  sequenceEntry(
    'fastmax-linear',
    26,
    linearAttention({
      heads: HEADS,
      headDim: DIM,
      featureMap: identity(),
      featureExpansion: taylorFeatures({ degree: 2 }),
      denominator: { epsilon: 0 },
      causal: true,
      chunkSize: CHUNK,
      name: 'fastmax-linear',
    }),
    fastmaxQueryKeyNorm,
  ),
  sequenceEntry(
    'performer-favor',
    78,
    linearAttention({
      heads: HEADS,
      headDim: DIM,
      featureMap: identity(),
      featureExpansion: favorFeatures({ headDim: DIM, features: 64, seed: 78 }),
      denominator: { epsilon: 0 },
      name: 'performer-favor',
    }),
  ),
  sequenceEntry('lln-attention', 17, llnSpec('lln-attention')),
  {
    mechanism: 'lln-diag-attention',
    paper: 17,
    build() {
      const shape = [1, HEADS, LENGTH, DIM];
      const operands = { query: input('q', shape), key: input('k', shape), value: input('v', shape) };
      const lln = applyLinearAttention(llnSpec('lln-diag-attention.lln'), operands).output;
      // softmax(QKᵀ/√d) inside diagonal blocks of D = head dim, causal inside a block.
      const diagonal = attention({
        heads: HEADS,
        headDim: DIM,
        mask: and(causal(), chunked(DIM)),
        name: 'lln-diag-attention.diag',
      });
      const diag = applyAttention(diagonal, operands).output;
      const count = HEADS * LENGTH * DIM;
      return {
        graph: makeGraph({ output: add(mul(lln, 0.5), mul(diag, 0.5)) }),
        params: {},
        inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
        dims: {},
      };
    },
  },
  // ReGLA: φ_q, φ_k, scale c, the refined gate F_t on the state and LayerNorm in place of the
  // denominator; the gate's pre-activations (W_g x + b_g, W_r x + b_r) are seeded inputs.
  {
    mechanism: 'regla',
    paper: 22,
    build() {
      const shape = [1, HEADS, LENGTH, DIM];
      const operand = (name: string): Node => input(name, shape);
      const { output } = applyLinearAttention(reglaSpec('regla'), {
        query: operand('q'),
        key: operand('k'),
        value: operand('v'),
        gate: reglaRefinedGate(operand('gateLogits'), operand('refineLogits')),
      });
      const count = HEADS * LENGTH * DIM;
      return {
        graph: makeGraph({ output }),
        params: {},
        inputs: {
          q: seeded(count, 1),
          k: seeded(count, 2),
          v: seeded(count, 3),
          gateLogits: seeded(count, 4),
          refineLogits: seeded(count, 5),
        },
        dims: {},
      };
    },
  },
  // Efficient Attention: softmax of each query over its features, of each key feature over the
  // positions, then ρ_q(Q)(ρ_k(K)ᵀV) (non-causal, no denominator).
  sequenceEntry(
    'efficient-attention',
    111,
    linearAttention({
      heads: HEADS,
      headDim: DIM,
      featureMap: identity(),
      featureExpansion: efficientAttentionFeatures(),
      denominator: false,
      name: 'efficient-attention',
    }),
  ),
  // Galerkin attention: Q(LN_K(K)ᵀ LN_V(V))/n with seeded per-head LayerNorm gains and biases.
  {
    mechanism: 'galerkin-attention',
    paper: 89,
    build() {
      const shape = [1, HEADS, LENGTH, DIM];
      const spec = linearAttention({
        heads: HEADS,
        headDim: DIM,
        featureMap: identity(),
        denominator: false,
        name: 'galerkin-attention',
      });
      const operands = galerkinOperands(input('q', shape), input('k', shape), input('v', shape), 'galerkin');
      const { output } = applyLinearAttention(spec, operands);
      const count = HEADS * LENGTH * DIM;
      const norm = HEADS * DIM;
      return {
        graph: makeGraph({ output }),
        params: {
          'galerkin.key.gamma': seededInRange(norm, 6, 0.5, 1.5),
          'galerkin.key.beta': seededInRange(norm, 7, -0.2, 0.2),
          'galerkin.value.gamma': seededInRange(norm, 8, 0.5, 1.5),
          'galerkin.value.beta': seededInRange(norm, 9, -0.2, 0.2),
        },
        inputs: { q: seeded(count, 1), k: seeded(count, 2), v: seeded(count, 3) },
        dims: {},
      };
    },
  },
  // Aaren: a learned query token per head (seeded), causal softmax over s_i = q·k_i as a
  // one-feature linear attention (the chunked sweep is its prefix scan).
  {
    mechanism: 'aaren',
    paper: 100,
    build() {
      const shape = [1, HEADS, LENGTH, DIM];
      const spec = linearAttention({
        heads: HEADS,
        headDim: 1,
        valueDim: DIM,
        featureMap: identity(),
        denominator: { epsilon: 0 },
        causal: true,
        chunkSize: CHUNK,
        name: 'aaren',
      });
      const { output } = applyLinearAttention(
        spec,
        aarenOperands(input('k', shape), input('v', shape), 'aaren'),
      );
      const count = HEADS * LENGTH * DIM;
      return {
        graph: makeGraph({ output }),
        params: { 'aaren.query': seeded(HEADS * DIM, 10) },
        inputs: { k: seeded(count, 2), v: seeded(count, 3) },
        dims: {},
      };
    },
  },
  ...RECURRENT_STATE_CATALOG,
  ...DELTA_RULE_CATALOG,
  ...MEGA_BLOCK_CATALOG,
  ...LINEAR_MAPS_CATALOG,
];

/**
 * ReGLA (catalog paper 22): exp features (query row max, key max over the sequence), the
 * variance-reduction scale c on the queries, the gated state, no denominator, LayerNorm of the
 * merged heads.
 */
export function reglaSpec(name: string): LinearAttentionSpec {
  return linearAttention({
    heads: HEADS,
    headDim: DIM,
    featureMap: identity(),
    featureExpansion: expFeatures({ keyMax: 'sequence', queryScale: reglaScale(DIM) }),
    denominator: false,
    gated: true,
    outputNorm: { kind: 'layer', epsilon: 1e-5, across: 'heads' },
    causal: true,
    chunkSize: CHUNK,
    name,
  });
}

/** Causal LLN attention with the reference module's ε 1e-8. */
function llnSpec(name: string): LinearAttentionSpec {
  return linearAttention({
    heads: HEADS,
    headDim: DIM,
    featureMap: identity(),
    featureExpansion: llnFeatures(),
    denominator: { epsilon: 1e-8 },
    causal: true,
    chunkSize: CHUNK,
    name,
  });
}
