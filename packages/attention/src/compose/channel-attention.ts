import { add, concat, conv2d, matmul, max, mean, type Node, param, relu, SpecError, sigmoid } from '@weft/ir';

/** Options of {@link channelAttentionGate}. */
export interface ChannelAttentionOptions {
  /** Reduction r of the bottleneck C → C/r → C/r² → C/r³ → C/r² → C/r → C (default 4). */
  readonly reduction?: number;
  /** Block name prefixing the parameters. Default `'ecab'`. */
  readonly name?: string;
}

/** What {@link channelAttentionGate} returns, both `[B, C]`. */
export interface ChannelAttentionGate {
  /** The gate w = σ(se(GMP(x)) + se(GAP(x))). */
  readonly gate: Node;
  /** GMP(x) + GAP(x), the pooled descriptor (ECAB_REAL's output is w ⊙ pooled). */
  readonly pooled: Node;
}

/**
 * CORE-ReID's Enhanced Channel Attention Block (catalog paper 6): global max and average pooling of
 * x `[B, C, H, W]` over H, W, one shared bottleneck `se` of six bias-free 1×1 convolutions
 * C → C/r → C/r² → C/r³ → C/r² → C/r → C with ReLU between (on 1×1 maps a 1×1 conv is a matmul),
 * and w = σ(se(GMP(x)) + se(GAP(x))). Also returns GMP(x) + GAP(x): the paper's global branch
 * (ECAB_REAL) scales x by w ⊙ (GMP + GAP). The paper uses C = 2048, r = 4.
 *
 * Parameters: `${name}.se0` … `${name}.se5`, each `[in, out]` (the conv weight transposed).
 *
 * @example
 * ```ts
 * const x = input('features', [2, 64, 8, 4]);
 * const { gate, pooled } = channelAttentionGate(x, { reduction: 4 }); // both [2, 64]
 * const scaled = mul(x, reshape(mul(gate, pooled), [2, 64, 1, 1]));
 * ```
 */
export function channelAttentionGate(x: Node, options: ChannelAttentionOptions = {}): ChannelAttentionGate {
  const name = options.name ?? 'ecab';
  const reduction = options.reduction ?? 4;
  const channels = checkFeatureMap('channelAttentionGate', name, x);
  if (!Number.isInteger(reduction) || reduction < 1 || channels % reduction ** 3 !== 0)
    throw new SpecError(`channelAttentionGate "${name}": C must be a multiple of r³`, {
      block: name,
      tensor: 'x',
      dimension: 1,
      expected: `a multiple of r³ = ${reduction ** 3} (r a positive integer)`,
      actual: `C = ${channels}, r = ${reduction}`,
    });
  const widths = [0, 1, 2, 3, 2, 1, 0].map((power) => channels / reduction ** power);
  const weights = widths.slice(1).map((out, layer) => param(`${name}.se${layer}`, [widths[layer]!, out]));
  const se = (pooled: Node) =>
    weights.reduce((hidden, weight, layer) => {
      const next = matmul(hidden, weight);
      return layer < weights.length - 1 ? relu(next) : next;
    }, pooled);
  const maxPooled = max(x, [2, 3]);
  const averagePooled = mean(x, [2, 3]);
  return {
    gate: sigmoid(add(se(maxPooled), se(averagePooled))),
    pooled: add(maxPooled, averagePooled),
  };
}

/** Options of {@link spatialAttentionGate}. */
export interface SpatialAttentionOptions {
  /** Odd kernel size k of the k×k convolution (default 7, CBAM's). */
  readonly kernel?: number;
  /** Block name prefixing the parameter. Default `'spatial'`. */
  readonly name?: string;
}

/**
 * CBAM's spatial attention, as CORE-ReID uses it (catalog paper 6): σ(conv_k×k([mean_c x; max_c x]))
 * for x `[B, C, H, W]`, a bias-free convolution from the two channel statistics to one map with
 * "same" padding ⌊k/2⌋: the gate `[B, 1, H, W]`, broadcast over channels by the caller.
 *
 * Parameter: `${name}.weight` `[1, 2, k, k]`.
 *
 * @example
 * ```ts
 * const x = input('features', [2, 64, 8, 4]);
 * const attended = mul(x, spatialAttentionGate(x)); // [2, 64, 8, 4]
 * ```
 */
export function spatialAttentionGate(x: Node, options: SpatialAttentionOptions = {}): Node {
  const name = options.name ?? 'spatial';
  const kernel = options.kernel ?? 7;
  checkFeatureMap('spatialAttentionGate', name, x);
  if (!Number.isInteger(kernel) || kernel < 1 || kernel % 2 === 0)
    throw new SpecError(`spatialAttentionGate "${name}": the kernel size must be an odd positive integer`, {
      block: name,
      expected: 'an odd integer ≥ 1',
      actual: kernel,
    });
  const statistics = concat([mean(x, [1], { keepDims: true }), max(x, [1], { keepDims: true })], 1);
  const weight = param(`${name}.weight`, [1, 2, kernel, kernel]);
  return sigmoid(conv2d(statistics, weight, undefined, { padding: (kernel - 1) / 2 }));
}

/** C of a static `[B, C, H, W]` feature map, or a SpecError naming the block. */
function checkFeatureMap(builder: string, name: string, x: Node): number {
  if (x.rank !== 4 || !x.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`${builder} "${name}": x must be [batch, channels, height, width], static`, {
      block: name,
      tensor: 'x',
      expected: '[B, C, H, W] with static sizes',
      actual: `[${x.shape.map(String).join(', ')}]`,
    });
  return x.shape[1] as number;
}
