import {
  constant,
  dimExpr,
  type Expr,
  type Kernel,
  read,
  strideExprs,
  substituteExpr,
  UnsupportedError,
} from '@weft/ir';
import type { KernelContext, RenderedExprs } from '@weft/wgsl';
import { decodeAttentionNode } from '../op/attention-node.js';
import { VARIABLE_NAMES as V } from '../spec/attention-variables.js';

/** Renders spec expressions (score, mask, block rule, normalizer parameters) as WGSL of the kernel. */
export type AttentionRender = (
  roots: readonly Expr[],
  prefix: string,
  variables?: Readonly<Record<string, string>>,
) => RenderedExprs;

/**
 * The renderer of the attention kernel's spec expressions: captured-tensor reads become reads of
 * kernel inputs, attention variables the kernel's own names (`variables` adds or overrides some).
 */
export function attentionRender(context: KernelContext, kernel: Kernel): AttentionRender {
  const node = kernel.anchor;
  return (roots, prefix, variables = {}) =>
    context.render(
      roots.map((root) => bindReads(root, node, kernel)),
      { ...VARIABLES, ...variables },
      prefix,
    );
}

/** WGSL names of the attention variables inside the kernel. */
const VARIABLES: Readonly<Record<string, string>> = {
  [V.score]: 'raw',
  [V.l1Distance]: 'l1_distance',
  [V.b]: 'b_i',
  [V.h]: 'h_i',
  [V.kvHead]: 'kv_head_i',
  [V.valueHead]: 'value_head_i',
  [V.q]: 'q_i',
  [V.k]: 'key_i',
  [V.queryLength]: 'nq',
  [V.keyLength]: 'nk',
  [V.queryStart]: 'block_q0',
  [V.queryEnd]: 'block_q1',
  [V.keyStart]: 'tile_k0',
  [V.keyEnd]: 'tile_k1',
};

/** Rewrites reads of captured tensors (by name, one index per axis) into flat reads of kernel inputs (`#n`). */
function bindReads(expr: Expr, node: Kernel['anchor'], kernel: Kernel): Expr {
  const attrs = decodeAttentionNode(node);
  return substituteExpr(expr, (part) => {
    if (part.kind !== 'read') return undefined;
    const position = attrs.tensors.findIndex((use) => use.name === part.payload);
    const tensor = node.inputs[3 + position];
    const input = tensor === undefined ? -1 : kernel.inputs.indexOf(tensor);
    if (tensor === undefined || input < 0) {
      throw new UnsupportedError('attention kernel: a captured tensor is not a kernel input', {
        tensor: String(part.payload),
      });
    }
    const strides = strideExprs(tensor.shape);
    // An index computed on the device is clamped into its axis (like `gather`): a read past the
    // end gives the edge element, never another tensor's memory. Bare index variables are checked
    // against the tensor's size when the graph is built (`inferAttention`).
    const flat = part.args.reduce<Expr>(
      (sum, index, axis) => {
        const last = dimExpr(tensor.shape[axis]!).sub(constant(1, 'i32'));
        const clamped = bindReads(index, node, kernel).cast('i32').max(constant(0, 'i32')).min(last);
        return sum.add(clamped.mul(strides[axis]!));
      },
      constant(0, 'i32'),
    );
    return read(`#${input}`, [flat], part.dtype);
  });
}
