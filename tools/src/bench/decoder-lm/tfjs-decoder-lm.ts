import type { DecoderLmConfig } from '@weft/models';
import type { Tfjs, TfjsTensor } from '../peers/tfjs.js';
import { ropeTables } from './rope-tables.js';

/** The keys and values one layer has cached, `[kvHeads, positions, headDim]` each. */
export interface TfjsLayerCache {
  /** Rotated keys. */
  readonly key: TfjsTensor;
  /** Values. */
  readonly value: TfjsTensor;
}

/** What one call of {@link TfjsDecoderLm.forward} returns. */
export interface TfjsDecoderLmStep {
  /** Logits of the last new token, `[vocab]`. */
  readonly logits: TfjsTensor;
  /** Every layer's cache including the new tokens. */
  readonly cache: readonly TfjsLayerCache[];
}

/** A decoder LM written with tfjs ops. */
export interface TfjsDecoderLm {
  /**
   * Runs `tokens` after the positions `cache` holds (none: a prefill from position 0): embedding,
   * the pre-norm blocks (RMSNorm, fused QKV, RoPE, GQA causal attention over cache + new keys, SwiGLU),
   * the final RMSNorm and the LM head on the last position. Call inside `tf.tidy`.
   */
  forward(tokens: Int32Array, cache?: readonly TfjsLayerCache[]): TfjsDecoderLmStep;
  /** Weights and tables, uploaded once; dispose them when done. */
  readonly constants: readonly TfjsTensor[];
}

/**
 * The decoder LM Weft builds from `config` (`buildDecoderLmGraph`), written with tfjs ops the way
 * a tfjs user would, on the same parameters (Weft names and layouts: `[in, out]` matrices, fused
 * `wqkv` with query, key, value columns, fused `wGateUp` with gate then up columns, head
 * `[vocab, d]`). Supports pre-norm RMSNorm, RoPE (`half` layout) and SwiGLU, the demo's choices;
 * other configs throw.
 *
 * GQA without copying keys: query head `h` reads KV head `⌊h / group⌋`, so the queries of one KV
 * head's group are stacked as rows, `[kvHeads, group · seq, headDim]`, and one batched matmul per
 * layer scores them against that head's keys.
 */
export function tfjsDecoderLm(
  tf: Tfjs,
  config: DecoderLmConfig,
  parameters: Readonly<Record<string, Float32Array>>,
): TfjsDecoderLm {
  checkSupported(config);
  const { vocabSize, dModel, layers, heads, kvHeads, headDim, maxSeq } = config;
  const hidden = config.mlp.hidden;
  const group = heads / kvHeads;
  const { eps } = config.norm;
  const positions = config.positions as Extract<DecoderLmConfig['positions'], { kind: 'rope' }>;
  const rotaryDims = Math.floor((positions.fraction * headDim) / 2) * 2;
  const tables = ropeTables(maxSeq, rotaryDims, positions.base);
  const pairs = tables.pairs;

  const constants: TfjsTensor[] = [];
  const upload = (name: string, shape: number[]) => {
    const data = parameters[name];
    if (data === undefined) throw new Error(`tfjs decoder LM: no parameter "${name}"`);
    const tensor = tf.tensor(data, shape);
    constants.push(tensor);
    return tensor;
  };
  const table = (data: Float32Array, shape: number[]) => {
    const tensor = tf.tensor(data, shape);
    constants.push(tensor);
    return tensor;
  };
  const embedding = upload('embedding.tokens', [vocabSize, dModel]);
  const head = config.tieEmbeddings ? embedding : upload('head.weight', [vocabSize, dModel]);
  const finalGain = upload('finalNorm.gamma', [dModel]);
  const qkvWidth = (heads + 2 * kvHeads) * headDim;
  const blocks = Array.from({ length: layers }, (_, layer) => ({
    attnGain: upload(`layers.${layer}.attnNorm.gamma`, [dModel]),
    wqkv: upload(`layers.${layer}.attn.wqkv`, [dModel, qkvWidth]),
    wo: upload(`layers.${layer}.attn.wo`, [heads * headDim, dModel]),
    mlpGain: upload(`layers.${layer}.mlpNorm.gamma`, [dModel]),
    wGateUp: upload(`layers.${layer}.mlp.wGateUp`, [dModel, 2 * hidden]),
    wDown: upload(`layers.${layer}.mlp.wDown`, [hidden, dModel]),
  }));
  const cosTable = table(tables.cos, [maxSeq, 1, pairs]);
  const sinTable = table(tables.sin, [maxSeq, 1, pairs]);
  const causalTable = table(causalMask(maxSeq), [maxSeq, maxSeq]);

  const rmsNorm = (x: TfjsTensor, gain: TfjsTensor) =>
    tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), gain);

  // x: [seq, n, headDim] at positions past … past + seq − 1; half layout over the rotated dims.
  const rotate = (x: TfjsTensor, cos: TfjsTensor, sin: TfjsTensor, seq: number, n: number) => {
    const first = tf.slice(x, [0, 0, 0], [seq, n, pairs]);
    const second = tf.slice(x, [0, 0, pairs], [seq, n, pairs]);
    const parts = [
      tf.sub(tf.mul(first, cos), tf.mul(second, sin)),
      tf.add(tf.mul(second, cos), tf.mul(first, sin)),
    ];
    if (rotaryDims < headDim) parts.push(tf.slice(x, [0, 0, rotaryDims], [seq, n, headDim - rotaryDims]));
    return tf.concat(parts, 2);
  };

  return {
    constants,
    forward(tokens, cache) {
      const seq = tokens.length;
      const past = cache?.[0]?.key.shape[1] ?? 0;
      const total = past + seq;
      if (total > maxSeq) throw new Error(`tfjs decoder LM: ${total} positions exceed maxSeq ${maxSeq}`);
      const cos = tf.slice(cosTable, [past, 0, 0], [seq, 1, pairs]);
      const sin = tf.slice(sinTable, [past, 0, 0], [seq, 1, pairs]);
      // Query i (position past + i) sees keys 0 … past + i; one new token sees every key.
      const mask = seq === 1 ? undefined : tf.slice(causalTable, [past, 0], [seq, total]);
      let x = tf.gather(embedding, tf.tensor1d(tokens, 'int32'));
      const nextCache: TfjsLayerCache[] = [];
      blocks.forEach((block, layer) => {
        const qkv = tf.matMul(rmsNorm(x, block.attnGain), block.wqkv);
        const columns = (start: number, n: number) =>
          tf.reshape(tf.slice(qkv, [0, start * headDim], [seq, n * headDim]), [seq, n, headDim]);
        const query = tf.transpose(rotate(columns(0, heads), cos, sin, seq, heads), [1, 0, 2]);
        const newKey = tf.transpose(rotate(columns(heads, kvHeads), cos, sin, seq, kvHeads), [1, 0, 2]);
        const newValue = tf.transpose(columns(heads + kvHeads, kvHeads), [1, 0, 2]);
        const earlier = cache?.[layer];
        const key = earlier === undefined ? newKey : tf.concat([earlier.key, newKey], 1);
        const value = earlier === undefined ? newValue : tf.concat([earlier.value, newValue], 1);
        nextCache.push({ key, value });
        const grouped = tf.reshape(query, [kvHeads, group * seq, headDim]);
        let scores = tf.mul(tf.matMul(grouped, key, false, true), 1 / Math.sqrt(headDim));
        if (mask !== undefined) {
          scores = tf.reshape(tf.add(tf.reshape(scores, [kvHeads, group, seq, total]), mask), [
            kvHeads,
            group * seq,
            total,
          ]);
        }
        const attended = tf.matMul(tf.softmax(scores), value);
        const merged = tf.reshape(tf.transpose(tf.reshape(attended, [heads, seq, headDim]), [1, 0, 2]), [
          seq,
          heads * headDim,
        ]);
        x = tf.add(x, tf.matMul(merged, block.wo));
        const both = tf.matMul(rmsNorm(x, block.mlpGain), block.wGateUp);
        const gate = tf.slice(both, [0, 0], [seq, hidden]);
        const up = tf.slice(both, [0, hidden], [seq, hidden]);
        x = tf.add(x, tf.matMul(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), block.wDown));
      });
      const last = tf.slice(x, [seq - 1, 0], [1, dModel]);
      const logits = tf.reshape(tf.matMul(rmsNorm(last, finalGain), head, false, true), [vocabSize]);
      return { logits, cache: nextCache };
    },
  };
}

/** `[n, n]` additive causal mask: 0 where key ≤ query, −1e9 above the diagonal. */
function causalMask(n: number): Float32Array {
  const mask = new Float32Array(n * n);
  for (let query = 0; query < n; query++) mask.fill(-1e9, query * n + query + 1, (query + 1) * n);
  return mask;
}

function checkSupported(config: DecoderLmConfig): void {
  const problems = [
    config.norm.kind === 'rmsnorm' && config.norm.placement === 'pre' ? undefined : 'pre-norm RMSNorm',
    config.positions.kind === 'rope' ? undefined : 'RoPE positions',
    config.mlp.kind === 'swiglu' ? undefined : 'a SwiGLU MLP',
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0)
    throw new Error(`tfjs decoder LM: this implementation needs ${problems.join(', ')}`);
}
