import { add, concat, matmul, type Node, param, relu, SpecError } from '@weft/ir';
import { applyAttention } from '../apply-attention.js';
import { customMask } from '../masks/custom-mask.js';
import { attention } from '../spec/attention-spec.js';
import { mergeHeads, splitHeads } from './head-layout.js';

/** Options of {@link layerwiseShortcutAttention}. */
export interface LayerwiseShortcutOptions {
  /** Attention heads; they split the model width d. */
  readonly heads: number;
  /** Hidden width of each tap's feature map f_l(h) = ReLU(h W₁ + b₁) W₂ + b₂. Default d. */
  readonly hidden?: number;
  /** Block name prefixing the parameters. Default `'shortcuts'`. */
  readonly name?: string;
}

/**
 * Layerwise attention shortcuts (Verma & Pilanci, "Adaptive Large Language Models by Layerwise
 * Attention Shortcuts", catalog paper 37): the outputs h^(l) of selected layers pass through
 * per-layer MLP feature maps f_l and are concatenated along the sequence, M = [f_1(h^(1)); …;
 * f_S(h^(S))] (S·n rows); the last layer cross-attends from token t of `x` to M under the causal
 * mask "key (l, j) visible iff j ≤ t", a predicate on (key index mod n) — one fused kernel. The
 * MLP shapes are not given by the catalog's source; f_l here is one ReLU hidden layer (our choice).
 *
 * Parameters: `${name}.tap${l}.hidden.weight` `[d, hidden]`, `.hidden.bias`, `.output.weight`
 * `[hidden, d]`, `.output.bias`; `${name}.query`, `.key`, `.value`, `.output` `[d, d]`.
 * Shapes: `x` and each tap `[batch, n, d]`, static.
 *
 * @example
 * ```ts
 * const [last, layer2, layer5] = ['last', 'layer2', 'layer5'].map((name) => input(name, [1, 16, 32])) as [Node, Node, Node];
 * const y = layerwiseShortcutAttention(last, [layer2, layer5], { heads: 4 }); // [1, 16, 32]
 * ```
 */
export function layerwiseShortcutAttention(
  x: Node,
  taps: readonly Node[],
  options: LayerwiseShortcutOptions,
): Node {
  const name = options.name ?? 'shortcuts';
  const { heads } = options;
  const shape = checkedShape(x, 'x', name);
  if (taps.length === 0)
    throw new SpecError(`layerwiseShortcutAttention "${name}": needs at least one tapped layer`, {
      block: name,
      expected: '>= 1 tap',
      actual: 0,
    });
  taps.forEach((tap, l) => {
    const tapShape = checkedShape(tap, `taps[${l}]`, name);
    if (tapShape.join() !== shape.join())
      throw new SpecError(`layerwiseShortcutAttention "${name}": taps[${l}] must have x's shape`, {
        block: name,
        tensor: `taps[${l}]`,
        expected: `[${shape.join(', ')}]`,
        actual: `[${tapShape.join(', ')}]`,
      });
  });
  const [, length, width] = shape;
  if (!Number.isInteger(heads) || heads < 1 || width % heads !== 0)
    throw new SpecError(`layerwiseShortcutAttention "${name}": heads must divide the width`, {
      block: name,
      expected: `a divisor of ${width}`,
      actual: heads,
    });
  const hidden = options.hidden ?? width;
  const features = taps.map((tap, l) => featureMap(tap, `${name}.tap${l}`, hidden));
  const memory = features.length === 1 ? features[0]! : concat(features, 1);
  const project = (node: Node, part: string) => matmul(node, param(`${name}.${part}`, [width, width]));
  const spec = attention({
    heads,
    headDim: width / heads,
    name: `${name}.attention`,
    // Memory row r holds position r mod n of its layer.
    mask: customMask(({ q, k }) => k.mod(length).le(q), 'layerwise causal'),
  });
  const attended = applyAttention(spec, {
    query: splitHeads(project(x, 'query'), heads),
    key: splitHeads(project(memory, 'key'), heads),
    value: splitHeads(project(memory, 'value'), heads),
  }).output;
  return project(mergeHeads(attended), 'output');
}

function featureMap(h: Node, name: string, hidden: number): Node {
  const width = h.shape[2] as number;
  const inner = relu(
    add(matmul(h, param(`${name}.hidden.weight`, [width, hidden])), param(`${name}.hidden.bias`, [hidden])),
  );
  return add(
    matmul(inner, param(`${name}.output.weight`, [hidden, width])),
    param(`${name}.output.bias`, [width]),
  );
}

function checkedShape(node: Node, tensor: string, name: string): [number, number, number] {
  if (node.rank !== 3 || !node.shape.every((size) => typeof size === 'number'))
    throw new SpecError(`layerwiseShortcutAttention "${name}": ${tensor} must be [batch, n, d], static`, {
      block: name,
      tensor,
      expected: '[batch, n, d] with static sizes',
      actual: `[${node.shape.map(String).join(', ')}]`,
    });
  return node.shape as [number, number, number];
}
