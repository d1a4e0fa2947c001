import { isValueSource } from '../ops/source-groups.js';
import type { Node } from './node.js';

/**
 * Labels: the user's names for nodes (`layers.0.attn`, `layers.0.mlp.up`), kept in a side table
 * outside the structural hash. Nodes are hash-consed and immutable, so a label never changes a
 * node's identity or hash: two graphs that differ only in labels are the same nodes and share
 * compiled pipelines. The table holds nodes weakly; a label lives as long as its node.
 *
 * A node keeps the first label it is given (a node shared by two blocks, through hash-consing, is
 * named after the block that built it first).
 */
const labels = new WeakMap<Node, string>();

/** Label of the innermost {@link withLabel} scope being built, if any. */
let scopeLabel: string | undefined;

/**
 * Runs `build` in a label scope: every node that `makeNode` (and so every op builder) returns
 * inside it, new or found by hash-consing, gets `label` unless it already has one. Scopes nest;
 * the innermost label applies (blocks pass full paths such as `layers.0.attn.q`, not parts). An
 * empty label opens no scope; `constant` and `literal` nodes, shared values, are not labelled.
 * Returns what `build` returns.
 *
 * Labels reach the generated WGSL (binding names such as `out_layers_0_attn_q`), kernel labels,
 * GPU pipeline labels, program stats, profile rows and error messages. They are sanitized where
 * they are used, so any text is allowed.
 *
 * @example
 * ```ts
 * const x = input('x', [16, 64]);
 * const q = withLabel('layers.0.attn.q', () => matmul(x, param('layers.0.attn.wq', [64, 64])));
 * labelOf(q); // 'layers.0.attn.q'
 * ```
 */
export function withLabel<T>(label: string, build: () => T): T {
  return inLabelScope(label === '' ? undefined : label, build);
}

/**
 * The label of `node`: the user name it was built under, or `undefined` for an unlabelled node.
 *
 * @example
 * ```ts
 * const h = input('h', [16, 256]);
 * const w = param('layers.0.mlp.down', [256, 64]);
 * const y = withLabel('layers.0.mlp.down', () => matmul(h, w));
 * labelOf(y); // 'layers.0.mlp.down'
 * ```
 */
export function labelOf(node: Node): string | undefined {
  return labels.get(node);
}

/**
 * Gives `node` `label` unless it already has one (the first label wins), and returns the node.
 * For code that builds nodes outside a {@link withLabel} scope, or names a result afterwards.
 *
 * @example
 * ```ts
 * const h = input('h', [16, 64]);
 * const embedding = param('embedding.tokensT', [64, 256]);
 * const logits = setLabel(matmul(h, embedding), 'lmHead');
 * ```
 */
export function setLabel(node: Node, label: string): Node {
  if (label !== '' && !labels.has(node)) labels.set(node, label);
  return node;
}

/**
 * Copies `from`'s label to `to` when `to` has none and is not a shared `constant` or `literal`:
 * what a pass does when it rewrites a node into another (the replacement keeps the user's name).
 * Returns `to`.
 *
 * @example
 * ```ts fragment
 * const folded = inheritLabel(makeNode('constant', [], attrs), original);
 * ```
 */
export function inheritLabel(to: Node, from: Node): Node {
  const label = labels.get(from);
  if (label !== undefined && !labels.has(to) && !isValueSource(to)) labels.set(to, label);
  return to;
}

/**
 * The label of `node`, or else of the nearest labelled node among its operands (breadth first, at
 * most `depth` levels down): a readable block name for a node that was built outside any scope.
 *
 * @example
 * ```ts
 * const x = input('x', [4]);
 * const one = input('one', [4]);
 * nearestLabel(add(withLabel('a', () => exp(x)), one)); // 'a'
 * ```
 */
export function nearestLabel(node: Node, depth = 4): string | undefined {
  let level: readonly Node[] = [node];
  const seen = new Set<Node>();
  for (let step = 0; step <= depth && level.length > 0; step++) {
    const next: Node[] = [];
    for (const candidate of level) {
      if (seen.has(candidate)) continue;
      seen.add(candidate);
      const label = labels.get(candidate);
      if (label !== undefined) return label;
      next.push(...candidate.inputs);
    }
    level = next;
  }
  return undefined;
}

/**
 * @internal Runs `build` with `label` as the scope label (no scope change when `undefined`); what
 * passes use to name the nodes a rewrite rule builds after the node it rewrites.
 */
export function inLabelScope<T>(label: string | undefined, build: () => T): T {
  if (label === undefined) return build();
  const outer = scopeLabel;
  scopeLabel = label;
  try {
    return build();
  } finally {
    scopeLabel = outer;
  }
}

/** @internal Called by `makeNode` on every node it returns: applies the scope label. */
export function labelFromScope(node: Node): void {
  if (scopeLabel !== undefined && !labels.has(node) && !isValueSource(node)) labels.set(node, scopeLabel);
}
