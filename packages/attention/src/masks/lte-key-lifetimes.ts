import {
  concat,
  constant,
  conv1d,
  indexVariable,
  mapElements,
  mul,
  type Node,
  permute,
  reshape,
  SpecError,
  select,
  silu,
  variable,
} from '@weft/ir';
import { i32Size } from './mask-sizes.js';
import { NEVER_EXPIRES } from './nats-key-lifetimes.js';

/**
 * The weights of LTE's router (He & Garner, catalog #82, `LTEConvolutionStack` with
 * `routing_shared='head'`): three grouped convolutions of kernel 3 (one group per KV head, channels
 * per head 2d → d → d/2 → d/4), then a grouped 1×1 projection to one logit per KV head.
 */
export interface LteRouterWeights {
  /** `[Hkv·d, 2d, 3]` and bias `[Hkv·d]`. */
  readonly conv1: { readonly weight: Node; readonly bias: Node };
  /** `[Hkv·d/2, d, 3]` and bias `[Hkv·d/2]`. */
  readonly conv2: { readonly weight: Node; readonly bias: Node };
  /** `[Hkv·d/4, d/2, 3]` and bias `[Hkv·d/4]`. */
  readonly conv3: { readonly weight: Node; readonly bias: Node };
  /** `[Hkv, d/4, 1]` and bias `[Hkv]` (the paper initialises it to 0.5: every key kept at first). */
  readonly projection: { readonly weight: Node; readonly bias: Node };
}

/**
 * LTE's router logits c `[B, Hkv, L]` as graph ops: per KV head the features x_t = concat(k_t, v_t)
 * (keys before RoPE), three grouped `'same'`-padded convolutions of kernel 3 with SiLU after each,
 * then the grouped 1×1 projection. Non-causal: c_t reads tokens t − 3 … t + 3. The keep score is
 * r = sigmoid(c) − 0.5, so r > 0 exactly when c > 0 (as with the `relu` routing).
 *
 * `options.valid` (f32 0/1, broadcast against `[B, Hkv·2d, L]`, e.g. `[1, 1, L]`) marks the columns
 * that hold tokens of the sequence: the features and every layer's output read 0 elsewhere, as the
 * `'same'` zero padding of each layer does at the ends of a whole sequence. A window of a longer
 * sequence (a decode step's last tokens and the fresh ones) then gives the logits the whole
 * sequence would at the columns whose ±3 reach lies inside the window.
 *
 * @example
 * ```ts
 * const [kvHeads, d] = [2, 16];
 * const conv = (name: string, out: number, inPerGroup: number, taps: number) => ({
 *   weight: param(`${name}.weight`, [out, inPerGroup, taps]),
 *   bias: param(`${name}.bias`, [out]),
 * });
 * const logits = lteRouterLogits(input('k', [1, kvHeads, 128, d]), input('v', [1, kvHeads, 128, d]), {
 *   conv1: conv('conv1', kvHeads * d, 2 * d, 3),
 *   conv2: conv('conv2', (kvHeads * d) / 2, d, 3),
 *   conv3: conv('conv3', (kvHeads * d) / 4, d / 2, 3),
 *   projection: conv('projection', kvHeads, d / 4, 1),
 * }); // [1, 2, 128]
 * const lastQuery = lteKeyLifetimes(logits, { window: 16, sinks: 4 });
 * ```
 */
export function lteRouterLogits(
  key: Node,
  value: Node,
  weights: LteRouterWeights,
  options: { readonly valid?: Node } = {},
): Node {
  if (key.rank !== 4 || value.rank !== 4 || key.shape[3] !== value.shape[3])
    throw new SpecError('lteRouterLogits: key and value must be [batch, kvHeads, length, d] of one d', {
      tensor: 'key',
      expected: '[batch, kvHeads, length, d] twice',
      actual: `[${key.shape.join(', ')}] and [${value.shape.join(', ')}]`,
    });
  const [batch, kvHeads, length, dim] = key.shape as [number, number, number, number];
  if (dim % 4 !== 0)
    throw new SpecError('lteRouterLogits: the head dim must be a multiple of 4 (channels halve twice)', {
      dimension: 3,
      expected: 'a multiple of 4',
      actual: dim,
    });
  // [B, Hkv, L, 2d] → [B, Hkv·2d, L]: channel h·2d + c, keys first (the source's 'b l (h d)').
  const inSequence = (x: Node) => (options.valid === undefined ? x : mul(x, options.valid));
  const features = reshape(permute(concat([key, value], 3), [0, 1, 3, 2]), [
    batch,
    kvHeads * 2 * dim,
    length,
  ]);
  const layer = (x: Node, conv: { weight: Node; bias: Node }) =>
    inSequence(silu(conv1d(x, conv.weight, conv.bias, { padding: 1, groups: kvHeads })));
  const hidden = layer(layer(layer(inSequence(features), weights.conv1), weights.conv2), weights.conv3);
  return conv1d(hidden, weights.projection.weight, weights.projection.bias, { groups: kvHeads });
}

/** Options of {@link lteKeyLifetimes}. */
export interface LteKeyLifetimesOptions {
  /** `w`: every key j is seen by queries j ≤ i ≤ j + w (the source's `q_idx − kv_idx <= window_size`). */
  readonly window: number;
  /** The first `sinks` keys are always kept (default 4). */
  readonly sinks?: number;
}

/**
 * LTE's visibility as key lifetimes for {@link keyLifetime}: key j of KV head h stays for ever when
 * r_j = sigmoid(c_j) − 0.5 > 0 (c_j > 0) or j < sinks, else until query j + w. `logits` `[B, Hkv, L]`
 * → `[B, Hkv, L]` i32.
 *
 * @example
 * ```ts
 * const lastQuery = lteKeyLifetimes(input('c', [1, 2, 128]), { window: 16, sinks: 4 });
 * ```
 */
export function lteKeyLifetimes(logits: Node, options: LteKeyLifetimesOptions): Node {
  if (logits.rank !== 3)
    throw new SpecError('lteKeyLifetimes: the router logits must be [batch, kvHeads, length]', {
      tensor: 'logits',
      expected: 'rank 3',
      actual: `rank ${logits.rank}`,
    });
  const window = Math.min(i32Size(options.window, 'lteKeyLifetimes', 'window', 0), NEVER_EXPIRES);
  const sinks = i32Size(options.sinks ?? 4, 'lteKeyLifetimes', 'sinks', 0);
  const position = indexVariable('i2');
  const kept = variable('$0')
    .gt(constant(0, logits.dtype))
    .or(position.lt(constant(sinks, 'i32')));
  return mapElements(
    [logits],
    select(kept, constant(NEVER_EXPIRES, 'i32'), position.add(constant(window, 'i32'))),
  );
}
