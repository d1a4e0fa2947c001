import { type Dim, dimsEqual, type OpDef, ShapeError, type TensorType } from '@weft/ir';
import { decodeMultiToken, MULTI_TOKEN_OP, multiTokenOperands } from './multi-token-attrs.js';
import { evaluateMultiToken } from './multi-token-reference.js';

const shapeText = (shape: readonly Dim[]) =>
  `[${shape.map((dim) => (typeof dim === 'number' ? dim : dim.name)).join(', ')}]`;

/**
 * The Multi-Token Attention op (`attention.multiToken`, catalog paper 43). Its `stats` node holds
 * each row's max and Σ exp of the convolved, mixed logits `[B, H, N, 2]`; its `output` node O
 * `[B, H, N, d_v]`. Each is one kernel of `@weft/attention/kernels`; the float64 definition is
 * `evaluateMultiToken` (`op/multi-token-reference.ts`).
 */
export const multiTokenOp: OpDef = {
  name: MULTI_TOKEN_OP,
  arity: 'variadic',
  fusion: 'opaque',
  infer(inputs: readonly TensorType[], stored): TensorType {
    const attrs = decodeMultiToken(stored);
    const at = multiTokenOperands(attrs);
    const fail = (tensor: string, expected: string, actual: string): never => {
      throw new ShapeError(`attention "${attrs.block}": Multi-Token operand ${tensor} must be ${expected}`, {
        block: attrs.block,
        tensor,
        expected,
        actual,
      });
    };
    if (inputs.length !== at.count) fail('list', `${at.count} operands`, `${inputs.length}`);
    const q = inputs[at.query]!;
    const k = inputs[at.key]!;
    const expect = (index: number, tensor: string, shape: readonly Dim[]) => {
      if (index < 0) return;
      const actual = inputs[index]!.shape;
      if (actual.length !== shape.length || !shape.every((dim, axis) => dimsEqual(dim, actual[axis]!)))
        fail(tensor, shapeText(shape), shapeText(actual));
    };
    const [batch, , queries] = q.shape as [Dim, Dim, Dim];
    expect(at.query, 'query', [batch, attrs.heads, queries, attrs.headDim]);
    const keys = k.shape[2] ?? 0;
    expect(at.key, 'key', [batch, attrs.kvHeads, keys, attrs.headDim]);
    expect(at.value, 'value', [batch, attrs.valueHeads, keys, attrs.valueDim]);
    expect(at.kernel, 'scoreMap.kernel', [attrs.heads, attrs.queryKernel, attrs.keyKernel]);
    expect(at.headMix, 'scoreMap.headMix', [attrs.heads / attrs.mixGroup, attrs.mixGroup, attrs.mixGroup]);
    expect(at.normGain, 'scoreMap.normGain', [attrs.valueDim]);
    expect(at.stats, 'stats', [batch, attrs.heads, queries, 2]);
    if (attrs.causal && !dimsEqual(queries, keys))
      fail(
        'key',
        `as long as the queries (${shapeText([queries])}) under the causal mask`,
        shapeText([keys]),
      );
    return {
      dtype: 'f32',
      shape: [batch, attrs.heads, queries, attrs.result === 'stats' ? 2 : attrs.valueDim],
    };
  },
  evaluate: (inputs, stored, _node, env) =>
    evaluateMultiToken(inputs, decodeMultiToken(stored), env.precision === 'f32' ? 'f32' : 'f64'),
  evaluatesF32: true,
  describe(node) {
    const attrs = decodeMultiToken(node.attrs);
    const mix = attrs.mixPlacement === null ? '' : `, ${attrs.mixPlacement} mix ${attrs.mixGroup}`;
    return `${attrs.result}, ${attrs.queryKernel}×${attrs.keyKernel} score conv${mix}${attrs.causal ? ', causal' : ''}`;
  },
};
