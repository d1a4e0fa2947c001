import { GraphError } from '../errors.js';
import { type Graph, makeGraph, topoSortExcept } from '../graph/graph.js';
import { inheritLabel, inLabelScope, labelOf } from '../graph/label.js';
import { makeNode } from '../graph/make-node.js';
import type { Node } from '../graph/node.js';
import { formatShape, shapesEqual } from '../shape.js';

/**
 * One rewrite rule: returns the node that replaces `node`, or `undefined` when it does not apply.
 * A rule sees a node whose operands are already rewritten; it builds its result with `makeNode`
 * (or the op builders), so an equal node is found rather than duplicated.
 */
export type RewriteRule = (node: Node) => Node | undefined;

/**
 * A named set of rewrite rules, indexed by the op they match. Rules under `'*'` are tried on
 * every node, after the op's own rules.
 */
export interface RuleSet {
  /** Name used in pipeline logs and errors (`simplify`, `decompose`). */
  readonly name: string;
  /** Rules by op name, tried in order; `'*'` matches every op. */
  readonly rules: Readonly<Record<string, readonly RewriteRule[]>>;
}

/** Builds a {@link RuleSet}. */
export function ruleSet(name: string, rules: Readonly<Record<string, readonly RewriteRule[]>>): RuleSet {
  return Object.freeze({ name, rules: Object.freeze({ ...rules }) });
}

/**
 * Rewrites every node reachable from the graph's outputs with `rules`, bottom-up, to a fixpoint:
 * operands first, then the node itself until no rule applies, then the result of each rule again.
 * Each distinct node is rewritten once (nodes are hash-consed, so the memo is by identity).
 * Labels survive: a rule runs in the label scope of the node it rewrites (the nodes it builds
 * are named after it), and a replacement without a label inherits the rewritten node's.
 *
 * Throws a {@link GraphError} when a rule set keeps rewriting one node (a non-terminating rule
 * set) or a rule changes a node's shape or dtype.
 */
export function rewriteGraph(graph: Graph, rules: RuleSet): Graph {
  const rewriter = new Rewriter(rules);
  // Null prototype: an output named `__proto__` stays an output.
  const outputs: Record<string, Node> = Object.create(null);
  for (const [name, node] of Object.entries(graph.outputs)) outputs[name] = rewriter.rewrite(node);
  return makeGraph(outputs);
}

/** Rewrites one node (and what it depends on) with `rules`; see {@link rewriteGraph}. */
export function rewriteNode(node: Node, rules: RuleSet): Node {
  return new Rewriter(rules).rewrite(node);
}

// ---------------------------------------------------------------------------------------------
// Implementation

/** Longest chain of rule applications on one node before the rule set is declared non-terminating. */
const MAX_STEPS_PER_NODE = 1000;

class Rewriter {
  private readonly memo = new Map<Node, Node>();

  constructor(private readonly rules: RuleSet) {}

  rewrite(root: Node): Node {
    // Operands before users, iteratively: deep graphs exceed the call stack.
    // Settled nodes are skipped with their cones (every operand of a settled node is settled).
    for (const node of topoSortExcept([root], this.memo)) {
      if (this.memo.has(node)) continue;
      this.memo.set(node, this.settle(node));
    }
    return this.memo.get(root)!;
  }

  /** Rebuilds `node` over rewritten operands, then applies rules until none fires. */
  private settle(node: Node): Node {
    let current = this.rebuild(node);
    for (let step = 0; step < MAX_STEPS_PER_NODE; step++) {
      const next = this.applyOnce(current);
      if (next === undefined) return current;
      if (next.dtype !== current.dtype || !shapesEqual(next.shape, current.shape)) {
        throw new GraphError(`rule set "${this.rules.name}" changed the type of a "${current.op}" node`, {
          tensor: current.op,
          expected: `${current.dtype}${formatShape(current.shape)}`,
          actual: `${next.dtype}${formatShape(next.shape)}`,
        });
      }
      const settled = this.memo.get(next);
      if (settled !== undefined) return settled;
      // A rule may build new operands: rewrite them too before trying the rules again.
      current = this.rebuildTree(next);
      const known = this.memo.get(current);
      if (known !== undefined) return known;
    }
    throw new GraphError(`rule set "${this.rules.name}" does not terminate on a "${node.op}" node`, {
      tensor: node.op,
      expected: `a fixpoint within ${MAX_STEPS_PER_NODE} rewrites`,
    });
  }

  /** Rewrites the operands of a node a rule produced (they may be new nodes). */
  private rebuildTree(node: Node): Node {
    for (const operand of node.inputs) this.rewrite(operand);
    return this.rebuild(node);
  }

  private rebuild(node: Node): Node {
    const inputs = node.inputs.map((operand) => this.memo.get(operand) ?? operand);
    if (inputs.every((operand, index) => operand === node.inputs[index])) return node;
    return inLabelScope(labelOf(node), () => makeNode(node.def, inputs, node.attrs));
  }

  private applyOnce(node: Node): Node | undefined {
    for (const rule of [...(this.rules.rules[node.op] ?? []), ...(this.rules.rules['*'] ?? [])]) {
      const result = inLabelScope(labelOf(node), () => rule(node));
      if (result !== undefined && result !== node) return inheritLabel(result, node);
    }
    return undefined;
  }
}
