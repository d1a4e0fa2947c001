import {
  cast,
  type Expr,
  flatIndex,
  type Kernel,
  type Node,
  read,
  rebuildExpr,
  UnsupportedError,
} from '@weft/ir';
import { defOf } from '@weft/ir/internal';
import { sanitizeComment, sanitizeName } from './sanitize.js';
import { tensorUserName } from './tensor-bindings.js';

/**
 * Composes the element of a fused node as one Expr: each node's `lowerElement(node, index)` has its
 * operand reads `read('$k', ...)` replaced by the operand's own element Expr, recursively, until
 * the reads reach the kernel's inputs, which become loads `read('#<input position>', [flat index])`.
 * Nodes in `bound` (row statistics, a matmul accumulator) are replaced by the given Expr.
 */
export class ElementComposer {
  private readonly inputPositions: ReadonlyMap<Node, number>;
  private readonly members: ReadonlySet<Node>;
  private readonly memo = new Map<string, Expr>();

  /** @param bound - values of nodes already computed in the kernel (by node). */
  constructor(
    private readonly kernel: Kernel,
    private readonly bound: ReadonlyMap<Node, Expr> = new Map(),
  ) {
    this.inputPositions = new Map(kernel.inputs.map((node, position) => [node, position]));
    this.members = new Set(kernel.nodes);
  }

  /** The element of `node` at `index` (one i32 Expr per axis of `node`). */
  element(node: Node, index: readonly Expr[]): Expr {
    const fixed = this.bound.get(node);
    if (fixed !== undefined) return fixed;
    const key = `${node.hash}|${index.map((component) => component.key).join(',')}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const result = this.compute(node, index);
    this.memo.set(key, result);
    return result;
  }

  /** The element of `node` from its own lowering, even when `node` itself is bound (its operands' bindings still apply). */
  lowered(node: Node, index: readonly Expr[]): Expr {
    return this.compute(node, index);
  }

  private compute(node: Node, index: readonly Expr[]): Expr {
    const position = this.inputPositions.get(node);
    if (position !== undefined) return read(`#${position}`, [flatIndex(index, node.shape)], node.dtype);
    if (!this.members.has(node)) {
      throw new UnsupportedError(
        `kernel ${this.kernel.id} uses node ${describe(node)}, which it neither computes nor reads`,
        {
          expected: 'a kernel member or input',
          actual: describe(node),
        },
      );
    }
    const lower = defOf(node).lowerElement;
    if (lower === undefined) {
      throw new UnsupportedError(
        `op "${node.op}" has no element lowering, so it cannot be fused into a ${this.kernel.template} kernel`,
        {
          expected: 'an elementwise or injective op',
          actual: node.op,
        },
      );
    }
    return this.substitute(node, lower(node, index));
  }

  /** Replaces `read('$k', index)` in `expr` by operand k's element at that index. */
  private substitute(node: Node, expr: Expr): Expr {
    const rewritten = new Map<Expr, Expr>();
    const visit = (current: Expr): Expr => {
      const done = rewritten.get(current);
      if (done !== undefined) return done;
      const args = current.args.map(visit);
      let result: Expr;
      const operand = current.kind === 'read' ? /^\$(\d+)$/.exec(String(current.payload)) : null;
      if (operand !== null) {
        const input = node.inputs[Number(operand[1])];
        if (input === undefined) {
          throw new UnsupportedError(
            `lowering of op "${node.op}" reads operand ${operand[0]}, which it does not have`,
            {
              expected: `$0..$${node.inputs.length - 1}`,
              actual: operand[0],
            },
          );
        }
        result = cast(this.element(input, args), current.dtype);
      } else {
        result = rebuildExpr(current, args);
      }
      rewritten.set(current, result);
      return result;
    };
    return visit(expr);
  }
}

/**
 * A node for messages and WGSL comments: its op and user name (input or parameter name, else its
 * label), e.g. `matmul "layers.0.attn.qkv"`, or the op alone; comment-safe (sanitized).
 */
export function describe(node: Node): string {
  const name = tensorUserName(node);
  return sanitizeComment(name === undefined ? node.op : `${node.op} "${sanitizeName(name)}"`);
}
