import { add, conv2d, gather, literal, mul, type Node, param, relu } from '@weft/ir';
import { batchNorm } from './batch-norm.js';
import { instanceNorm } from './instance-norm.js';
import { expectFloatTensor, expectShape, staticDim } from './norm-checks.js';

/** The parameter-free norm SPADE modulates: batch norm with running statistics (inference) or instance norm. */
export type SpadeNorm = 'batch' | 'instance';

/** Options of {@link spade}. */
export interface SpadeOptions {
  /** Parameter-free norm. Default `'batch'` (NVlabs' `spadesyncbatch3x3`, with running statistics at inference). */
  readonly norm?: SpadeNorm;
  /** Channels of the shared conv layer. Default `128`. */
  readonly hidden?: number;
  /** Square kernel size of the three convs (odd). Default `3`. */
  readonly kernelSize?: number;
  /** Norm ε. Default `1e-5`. */
  readonly eps?: number;
  /** Layer name: prefixes parameter names and appears in errors. Default `'spade'`. */
  readonly name?: string;
}

/**
 * SPADE, spatially-adaptive (de)normalization (Park et al. 2019, catalog paper 61): activations are
 * normalized without affine, then modulated per pixel and channel by `γ`, `β` maps that a small conv
 * net computes from the segmentation map (nearest-resized to `x`'s resolution):
 *
 * `a = ReLU(conv(m'))`, `γ = conv_γ(a)`, `β = conv_β(a)`, `y = x̄ ⊙ (1 + γ) + β`.
 *
 * Parameters (names as NVlabs/SPADE): `${name}.shared.weight` `[hidden, L, k, k]`, `${name}.shared.bias`
 * `[hidden]`, `${name}.gamma.weight` / `${name}.beta.weight` `[C, hidden, k, k]` with biases `[C]`, and
 * for `norm: 'batch'` `${name}.norm.runningMean`, `${name}.norm.runningVar` `[C]`.
 * Shapes: `x` is `[N, C, H, W]`, `segmentation` is `[N, L, H', W']` (one-hot labels); the output has `x`'s shape.
 *
 * @example
 * ```ts
 * const y = spade(input('x', [1, 64, 32, 32]), input('labels', [1, 35, 256, 256]), { name: 'head.0.norm0' });
 * ```
 */
export function spade(x: Node, segmentation: Node, options: SpadeOptions = {}): Node {
  const name = options.name ?? 'spade';
  const hidden = options.hidden ?? 128;
  const kernelSize = options.kernelSize ?? 3;
  expectFloatTensor(name, 'x', x);
  expectShape(name, 'x', x, [x.shape[0]!, x.shape[1]!, x.shape[2] ?? 1, x.shape[3] ?? 1]);
  const [channels, height, width] = [1, 2, 3].map((axis) => staticDim(name, 'x', x.shape[axis]!, axis)) as [
    number,
    number,
    number,
  ];
  const labels = staticDim(name, 'segmentation', segmentation.shape[1] ?? 1, 1);
  expectShape(name, 'segmentation', segmentation, [
    x.shape[0]!,
    labels,
    segmentation.shape[2] ?? 1,
    segmentation.shape[3] ?? 1,
  ]);
  const resized = nearestResize(name, segmentation, height, width);
  const padding = Math.floor(kernelSize / 2);
  const convolve = (input: Node, prefix: string, inputs: number, outputs: number): Node =>
    conv2d(
      input,
      param(`${prefix}.weight`, [outputs, inputs, kernelSize, kernelSize], x.dtype),
      param(`${prefix}.bias`, [outputs], x.dtype),
      { padding },
    );
  const activations = relu(convolve(resized, `${name}.shared`, labels, hidden));
  const gamma = convolve(activations, `${name}.gamma`, hidden, channels);
  const beta = convolve(activations, `${name}.beta`, hidden, channels);
  const eps = options.eps ?? 1e-5;
  const normalized =
    options.norm === 'instance'
      ? instanceNorm(x, { eps, name: `${name}.norm` })
      : batchNorm(x, { eps, affine: false, name: `${name}.norm` });
  return add(mul(normalized, add(gamma, 1)), beta);
}

/** Nearest-neighbour resize of `[N, L, H', W']` to `[N, L, height, width]` (PyTorch `mode='nearest'`: source `⌊i·H'/H⌋`). */
function nearestResize(name: string, map: Node, height: number, width: number): Node {
  const sourceHeight = staticDim(name, 'segmentation', map.shape[2]!, 2);
  const sourceWidth = staticDim(name, 'segmentation', map.shape[3]!, 3);
  const rows = (size: number, source: number): Node =>
    literal(
      Array.from({ length: size }, (_, i) => Math.floor((i * source) / size)),
      [size],
      'i32',
    );
  const byRow = sourceHeight === height ? map : gather(map, rows(height, sourceHeight), 2);
  return sourceWidth === width ? byRow : gather(byRow, rows(width, sourceWidth), 3);
}
