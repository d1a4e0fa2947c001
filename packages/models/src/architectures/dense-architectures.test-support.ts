import {
  addInto,
  crossAttention,
  geluMlp,
  layerNorm,
  linear,
  namedLayerNorm,
  type Params,
  selfAttention,
  silu,
} from './dense-forward.test-support.js';
import type { DitDefinition } from './dit.js';
import type { EncoderDefinition } from './encoder.js';
import type { EncoderDecoderDefinition } from './encoder-decoder.js';
import type { VitDefinition } from './vit.js';

/** Heads and head dim of a tiny definition's attention options (the dense forwards take plain MHA). */
const headsOf = (attention: unknown): { heads: number; headDim: number } =>
  attention as { heads: number; headDim: number };

/** The BERT-style encoder (`buildEncoderGraph`) densely: `{ hidden [B·S·d], pooled [B·d] }`. */
export function denseEncoder(
  def: EncoderDefinition,
  p: Params,
  tokens: number[][],
  types: number[][],
  lengths: number[],
): { hidden: number[]; pooled: number[] } {
  const d = def.dModel;
  const { heads, headDim } = headsOf(def.attention);
  const hidden: number[] = [];
  const pooled: number[] = [];
  tokens.forEach((row, b) => {
    const s = row.length;
    let h: Float64Array = new Float64Array(s * d);
    for (let i = 0; i < s; i++)
      for (let c = 0; c < d; c++)
        h[i * d + c] =
          p['embedding.tokens']![row[i]! * d + c]! +
          p['embedding.positions']![i * d + c]! +
          p['embedding.tokenTypes']![types[b]![i]! * d + c]!;
    h = namedLayerNorm(p, 'embedding.norm', h, d, 1e-12);
    for (let l = 0; l < def.layers; l++) {
      const a = selfAttention(p, `layers.${l}.attn`, h, s, heads, headDim, (_i, j) => j < lengths[b]!);
      h = namedLayerNorm(p, `layers.${l}.attnNorm`, addInto(a, h), d, 1e-12);
      const m = geluMlp(p, `layers.${l}.mlp`, h, s);
      h = namedLayerNorm(p, `layers.${l}.mlpNorm`, addInto(m, h), d, 1e-12);
    }
    hidden.push(...h);
    pooled.push(...linear(h.slice(0, d), 1, p['pooler.weight']!, p['pooler.bias']).map(Math.tanh));
  });
  return { hidden, pooled };
}

/** The ViT (`buildVitGraph`, learned positions, class token) densely: logits `[B·classes]`. */
export function denseVit(def: VitDefinition, p: Params, pixels: ArrayLike<number>, batch: number): number[] {
  const d = def.dModel;
  const logits: number[] = [];
  for (const normed of denseVitTokens(def, p, pixels, batch))
    logits.push(...linear(normed.slice(0, d), 1, p['head.weight']!, p['head.bias']));
  return logits;
}

/**
 * The ViT backbone (no `classes`, `pooler: true`) densely: `hidden` `[B·tokens·d]` (final-normed)
 * and `pooled` `[B·d]`, `tanh(W h_CLS + b)`.
 */
export function denseVitBackbone(
  def: VitDefinition,
  p: Params,
  pixels: ArrayLike<number>,
  batch: number,
): { hidden: number[]; pooled: number[] } {
  const d = def.dModel;
  const hidden: number[] = [];
  const pooled: number[] = [];
  for (const normed of denseVitTokens(def, p, pixels, batch)) {
    hidden.push(...normed);
    pooled.push(...linear(normed.slice(0, d), 1, p['pooler.weight']!, p['pooler.bias']).map(Math.tanh));
  }
  return { hidden, pooled };
}

/** The final-normed tokens `[tokens·d]` of each image (class token first). */
function denseVitTokens(
  def: VitDefinition,
  p: Params,
  pixels: ArrayLike<number>,
  batch: number,
): Float64Array[] {
  const [height, width] = typeof def.imageSize === 'number' ? [def.imageSize, def.imageSize] : def.imageSize;
  const { patchSize: P, channels: C, dModel: d } = def;
  const { heads, headDim } = headsOf(def.attention);
  const rows = height! / P;
  const cols = width! / P;
  const s = rows * cols + 1;
  const images: Float64Array[] = [];
  for (let b = 0; b < batch; b++) {
    const h = new Float64Array(s * d);
    for (let c = 0; c < d; c++) h[c] = p.cls![c]!;
    for (let r = 0; r < rows; r++)
      for (let q = 0; q < cols; q++)
        for (let o = 0; o < d; o++) {
          let total = p['patch.bias']![o]!;
          for (let ch = 0; ch < C; ch++)
            for (let kh = 0; kh < P; kh++)
              for (let kw = 0; kw < P; kw++)
                total +=
                  pixels[((b * C + ch) * height! + r * P + kh) * width! + q * P + kw]! *
                  p['patch.weight']![((o * C + ch) * P + kh) * P + kw]!;
          h[(1 + r * cols + q) * d + o] = total;
        }
    addInto(h, p.positions!);
    for (let l = 0; l < def.layers; l++) {
      const u = namedLayerNorm(p, `layers.${l}.attnNorm`, h, d, 1e-6);
      addInto(
        h,
        selfAttention(p, `layers.${l}.attn`, u, s, heads, headDim, () => true),
      );
      addInto(h, geluMlp(p, `layers.${l}.mlp`, namedLayerNorm(p, `layers.${l}.mlpNorm`, h, d, 1e-6), s));
    }
    images.push(namedLayerNorm(p, 'finalNorm', h, d, 1e-6));
  }
  return images;
}

/**
 * DiT (`buildDitGraph`) densely: output `[B·tokens·outFeatures]`. With `classes`, `labels` pick
 * rows of `classEmbedding` added to the timestep embedding; `conditioningNorm: 'adaLn'` modulates
 * each pre-norm (shift, scale) and adds the sublayer ungated.
 */
export function denseDit(
  def: DitDefinition,
  p: Params,
  x: ArrayLike<number>,
  timesteps: readonly number[],
  labels: readonly number[] = [],
): number[] {
  const { tokens: s, dModel: d, inFeatures } = def;
  const { heads, headDim } = headsOf(def.attention);
  const frequencies = def.timestepFrequencies ?? 256;
  const half = frequencies / 2;
  const out: number[] = [];
  timesteps.forEach((t, b) => {
    const emb = new Float64Array(frequencies);
    for (let i = 0; i < half; i++) {
      const angle = t * Math.exp((-Math.log(def.maxPeriod ?? 10_000) * i) / half);
      emb[i] = Math.cos(angle);
      emb[half + i] = Math.sin(angle);
    }
    const c = linear(
      linear(emb, 1, p['timestep.fc1.weight']!, p['timestep.fc1.bias']).map(silu),
      1,
      p['timestep.fc2.weight']!,
      p['timestep.fc2.bias'],
    );
    if (def.classes !== undefined)
      for (let k = 0; k < d; k++) c[k]! += p.classEmbedding![labels[b]! * d + k]!;
    const activated = c.map(silu);
    const xb = Array.from(x).slice(b * s * inFeatures, (b + 1) * s * inFeatures);
    const h = addInto(linear(xb, s, p['inputProj.weight']!, p['inputProj.bias']), p.positions!);
    const modulate = (name: string, chunks: number) => {
      const m = linear(activated, 1, p[`${name}.modulation.weight`]!, p[`${name}.modulation.bias`]);
      return Array.from({ length: chunks }, (_, k) => m.slice(k * d, (k + 1) * d));
    };
    const modulated = (shift: Float64Array, scale: Float64Array) => {
      const n = layerNorm(h, d, 1e-6);
      for (let i = 0; i < n.length; i++) n[i] = n[i]! * (1 + scale[i % d]!) + shift[i % d]!;
      return n;
    };
    for (let l = 0; l < def.layers; l++) {
      for (const part of ['attn', 'mlp'] as const) {
        const gated = (def.conditioningNorm ?? 'adaLnZero') === 'adaLnZero';
        const [shift, scale, gate] = (
          gated
            ? modulate(`layers.${l}.${part}Residual`, 3)
            : [...modulate(`layers.${l}.${part}Norm`, 2), new Float64Array(d).fill(1)]
        ) as [Float64Array, Float64Array, Float64Array];
        const u = modulated(shift, scale);
        const f =
          part === 'attn'
            ? selfAttention(p, `layers.${l}.attn`, u, s, heads, headDim, () => true)
            : geluMlp(p, `layers.${l}.mlp`, u, s);
        for (let i = 0; i < h.length; i++) h[i]! += gate[i % d]! * f[i]!;
      }
    }
    const [shift, scale] = modulate('finalNorm', 2) as [Float64Array, Float64Array];
    out.push(...linear(modulated(shift, scale), s, p['head.weight']!, p['head.bias']));
  });
  return out;
}

/** The encoder–decoder (`buildEncoderDecoderGraph`, forward mode, pre-norm, learned positions) densely: logits `[B·T·V]`. */
export function denseEncoderDecoder(
  def: EncoderDecoderDefinition,
  p: Params,
  sources: number[][],
  targets: number[][],
): number[] {
  const d = def.dModel;
  const { heads, headDim } = headsOf(def.encoderBlock.attention);
  const eps = 1e-5;
  const embed = (name: string, row: number[]) => {
    const h = new Float64Array(row.length * d);
    for (let i = 0; i < row.length; i++)
      for (let c = 0; c < d; c++)
        h[i * d + c] = p[`${name}.tokens`]![row[i]! * d + c]! + p[`${name}.positions`]![i * d + c]!;
    return h;
  };
  const logits: number[] = [];
  sources.forEach((source, b) => {
    const m = source.length;
    let memory: Float64Array = embed('encoder.embedding', source);
    for (let l = 0; l < def.encoderLayers; l++) {
      const name = `encoder.layers.${l}`;
      addInto(
        memory,
        selfAttention(
          p,
          `${name}.attn`,
          namedLayerNorm(p, `${name}.attnNorm`, memory, d, eps),
          m,
          heads,
          headDim,
          () => true,
        ),
      );
      addInto(memory, geluMlp(p, `${name}.mlp`, namedLayerNorm(p, `${name}.mlpNorm`, memory, d, eps), m));
    }
    memory = namedLayerNorm(p, 'encoder.finalNorm', memory, d, eps);
    const target = targets[b]!;
    const s = target.length;
    const h = embed('decoder.embedding', target);
    for (let l = 0; l < def.decoderLayers; l++) {
      const name = `decoder.layers.${l}`;
      addInto(
        h,
        selfAttention(
          p,
          `${name}.attn`,
          namedLayerNorm(p, `${name}.attnNorm`, h, d, eps),
          s,
          heads,
          headDim,
          (i, j) => j <= i,
        ),
      );
      addInto(
        h,
        crossAttention(
          p,
          `${name}.cross`,
          namedLayerNorm(p, `${name}.crossNorm`, h, d, eps),
          s,
          memory,
          m,
          heads,
          headDim,
        ),
      );
      addInto(h, geluMlp(p, `${name}.mlp`, namedLayerNorm(p, `${name}.mlpNorm`, h, d, eps), s));
    }
    const normalized = namedLayerNorm(p, 'decoder.finalNorm', h, d, eps);
    // head.weight is [V, d]: logits = h Wᵀ.
    const head = p['head.weight']!;
    const vocab = def.targetVocabSize;
    for (let i = 0; i < s; i++)
      for (let v = 0; v < vocab; v++) {
        let total = 0;
        for (let c = 0; c < d; c++) total += normalized[i * d + c]! * head[v * d + c]!;
        logits.push(total);
      }
  });
  return logits;
}
