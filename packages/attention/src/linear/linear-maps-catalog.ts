import { input, makeGraph } from '@weft/ir';
import type { AttentionCatalogEntry } from '../catalog/attention-catalog.js';
import { seeded, seededInRange } from '../catalog/seeded-values.js';
import { applyLinearAttention } from './apply-linear-attention.js';
import { elu1, identity } from './feature-maps.js';
import { glaGate, lawcatCausalConv } from './lawcat.js';
import { linearAttention } from './linear-attention-spec.js';
import { applyMalaAttention, malaAttention } from './mala-attention.js';
import { malaRopeTables, malaVisionBlock } from './mala-vision-block.js';
import { nalaFeatures } from './nala-features.js';
import { nalaVisionBlock } from './nala-vision-block.js';
import { normLinearAttention } from './norm-linear-attention.js';

const HEADS = 4;
const LENGTH = 24;
const DIM = 16;
const CHUNK = 8;
const SHAPE = [1, HEADS, LENGTH, DIM];
const COUNT = HEADS * LENGTH * DIM;

/** MALA's vision block instance: one 6 × 6 image of 32 channels, 2 heads of 16. */
export const MALA_VISION_SHAPE = { batch: 1, channels: 32, height: 6, width: 6, heads: 2 } as const;

/** NaLaFormer's vision block instance: the same image and heads as MALA's (32 features per head). */
export const NALA_VISION_SHAPE = MALA_VISION_SHAPE;

const operands = () => ({ query: input('q', SHAPE), key: input('k', SHAPE), value: input('v', SHAPE) });
const seededQkv = () => ({ q: seeded(COUNT, 1), k: seeded(COUNT, 2), v: seeded(COUNT, 3) });

/**
 * The norm- and magnitude-aware maps and LRPE for the zoo (batch 1, 4 heads, 24 positions, dim 16,
 * the linear catalog's seeds): NaLaFormer's features with the reference's mean-form ε (non-causal),
 * TransNormerLLM's NormLinearAttention token mixer (projections, SiLU, LRPE, Lightning's decay in a
 * causal sweep, SRMSNorm, the u gate and the output projection; seeded θ and weights), MALA
 * (non-causal, the reference's form), MALA's whole vision block (1×1 convs, 2-D RoPE on the
 * numerator, LePE, gate; a 6 × 6 image of 32 channels), NaLaFormer's whole vision block (Linear to
 * q, k, v, g, the norm-aware features, 2-D RoPE on the numerator's, LePE, LayerNorm ⊙ SiLU gate,
 * out_proj; the same image), and LAWCAT (causal conv on q and k, GLA gate, ELU+1 with the
 * denominator; seeded conv taps and gate pre-activations).
 */
export const LINEAR_MAPS_CATALOG: readonly AttentionCatalogEntry[] = [
  {
    mechanism: 'nala-attention',
    paper: 16,
    build() {
      const spec = linearAttention({
        heads: HEADS,
        headDim: DIM,
        featureMap: identity(),
        featureExpansion: nalaFeatures(),
        // The reference's 1/(φ_q · mean_j φ_k + 1e−6) over 24 keys.
        denominator: { epsilon: LENGTH * 1e-6 },
        name: 'nala-attention',
      });
      const { output } = applyLinearAttention(spec, operands());
      return { graph: makeGraph({ output }), params: {}, inputs: seededQkv(), dims: {} };
    },
  },
  {
    mechanism: 'transnormerllm-lrpe',
    paper: 19,
    build() {
      const name = 'transnormerllm-lrpe';
      const width = HEADS * DIM;
      const output = normLinearAttention(input('x', [1, LENGTH, width]), {
        name,
        heads: HEADS,
        layer: 2,
        layers: 6,
        chunkSize: CHUNK,
      });
      const weight = (count: number, seed: number) => seeded(count, seed).map((w) => w / Math.sqrt(width));
      return {
        graph: makeGraph({ output }),
        params: {
          [`${name}.qkvu.weight`]: weight(width * 4 * width, 12),
          [`${name}.out.weight`]: weight(width * width, 13),
          // Learned θ: seeded in [0.05, 1] so that every head's angles turn within 24 positions.
          [`${name}.lrpe.theta`]: seededInRange(HEADS * DIM, 11, 0.05, 1),
        },
        inputs: { x: seeded(LENGTH * width, 1) },
        dims: {},
      };
    },
  },
  {
    mechanism: 'mala-attention',
    paper: 103,
    build() {
      const spec = malaAttention({ heads: HEADS, headDim: DIM, name: 'mala-attention' });
      const { output } = applyMalaAttention(spec, operands());
      return { graph: makeGraph({ output }), params: {}, inputs: seededQkv(), dims: {} };
    },
  },
  {
    mechanism: 'mala-vision-block',
    paper: 103,
    build() {
      const { batch, channels, height, width, heads } = MALA_VISION_SHAPE;
      const headDim = channels / heads;
      const sin = input('sin', [height * width, headDim]);
      const cos = input('cos', [height * width, headDim]);
      const output = malaVisionBlock(input('x', [batch, channels, height, width]), sin, cos, { heads });
      const tables = malaRopeTables(height, width, headDim);
      const scaled = (count: number, seed: number, by: number) => seeded(count, seed).map((w) => w / by);
      return {
        graph: makeGraph({ output }),
        params: {
          'mala.qkvo.weight': scaled(4 * channels * channels, 21, Math.sqrt(channels)),
          'mala.qkvo.bias': scaled(4 * channels, 22, 10),
          'mala.lepe.weight': scaled(channels * 25, 23, 5),
          'mala.lepe.bias': scaled(channels, 24, 10),
          'mala.proj.weight': scaled(channels * channels, 25, Math.sqrt(channels)),
          'mala.proj.bias': scaled(channels, 26, 10),
        },
        inputs: { x: seeded(batch * channels * height * width, 1), sin: tables.sin, cos: tables.cos },
        dims: {},
      };
    },
  },
  {
    mechanism: 'nalaformer-vision-block',
    paper: 16,
    build() {
      const { batch, channels, height, width, heads } = NALA_VISION_SHAPE;
      const headDim = channels / heads;
      const sin = input('sin', [height * width, headDim]);
      const cos = input('cos', [height * width, headDim]);
      const output = nalaVisionBlock(input('x', [batch, channels, height, width]), sin, cos, { heads });
      const tables = malaRopeTables(height, width, headDim);
      const scaled = (count: number, seed: number, by: number) => seeded(count, seed).map((w) => w / by);
      return {
        graph: makeGraph({ output }),
        params: {
          'nala.qkvg.weight': scaled(4 * channels * channels, 31, Math.sqrt(channels)),
          'nala.qkvg.bias': scaled(4 * channels, 32, 10),
          'nala.lepe.weight': scaled(channels * 25, 33, 5),
          'nala.lepe.bias': scaled(channels, 34, 10),
          'nala.ln.gamma': seededInRange(channels, 35, 0.5, 1.5),
          'nala.ln.beta': scaled(channels, 36, 10),
          'nala.out_proj.weight': scaled(channels * channels, 37, Math.sqrt(channels)),
          'nala.out_proj.bias': scaled(channels, 38, 10),
        },
        inputs: { x: seeded(batch * channels * height * width, 1), sin: tables.sin, cos: tables.cos },
        dims: {},
      };
    },
  },
  {
    mechanism: 'lawcat',
    paper: 97,
    build() {
      const spec = linearAttention({
        heads: HEADS,
        headDim: DIM,
        featureMap: elu1(),
        gated: true,
        causal: true,
        chunkSize: CHUNK,
        name: 'lawcat',
      });
      const { query, key, value } = operands();
      const { output } = applyLinearAttention(spec, {
        query: lawcatCausalConv(query, 'lawcat.qConv').rows,
        key: lawcatCausalConv(key, 'lawcat.kConv').rows,
        value,
        gate: glaGate(input('gateLogits', SHAPE)),
      });
      const taps = HEADS * DIM * 4;
      return {
        graph: makeGraph({ output }),
        params: { 'lawcat.qConv': seeded(taps, 12), 'lawcat.kConv': seeded(taps, 13) },
        inputs: { ...seededQkv(), gateLogits: seeded(COUNT, 4) },
        dims: {},
      };
    },
  },
];
