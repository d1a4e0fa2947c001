import { type Graph, graphNodes, usersOf } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import { type FusionCostModel, HARDWARE_FUSION_COSTS } from './cost/fusion-cost-model.js';
import type { FusionDecision } from './cost/fusion-decision.js';
import { type NodeRole, nodeRole } from './node-role.js';
import type { ReductionDomain } from './reduction-domain.js';
import type { StridedView } from './strided-view.js';

/** The kernel being grown around one root. */
export interface Growing {
  readonly root: Node;
  readonly members: Set<Node>;
  matmul: Node | undefined;
  domain: ReductionDomain | undefined;
  readonly reductions: Node[];
}

/**
 * What the admission rules share while one graph is planned: its nodes in topological order, their
 * users and roles, the graph outputs, and the nodes realized (written to memory) so far.
 */
export class PlannerState {
  readonly nodes: readonly Node[];
  readonly position: ReadonlyMap<Node, number>;
  readonly users: ReadonlyMap<Node, readonly Node[]>;
  readonly outputs: ReadonlySet<Node>;
  readonly #roles = new Map<Node, NodeRole>();
  /** Nodes written to memory in the current round. */
  realized = new Set<Node>();
  /** Nodes the cost rule decided to write to memory; kept from one planning round to the next. */
  readonly materialized = new Set<Node>();
  /**
   * Elementwise values a kernel evaluates many times that were not materialized when it met them
   * (their cone reached a second matmul, or another kernel had realized them): candidates to
   * materialize between rounds, once the values under them are.
   */
  readonly deferred = new Set<Node>();
  /** Strided views an opaque node reads or writes, by view (operands and results; see `opaque-views.ts`). */
  readonly views = new Map<Node, Map<Node, StridedView>>();
  /** The opaque node that writes each view target (merged heads) and the view chain up to it. */
  readonly viewWrites = new Map<Node, { readonly op: Node; readonly chain: readonly Node[] }>();
  /** The cost model's decisions of the current round. */
  decisions: FusionDecision[] = [];

  constructor(
    graph: Graph,
    /** What work costs on the adapter the plan is for. */
    readonly costs: FusionCostModel = HARDWARE_FUSION_COSTS,
  ) {
    this.nodes = graphNodes(graph);
    this.position = new Map(this.nodes.map((node, index) => [node, index]));
    this.users = usersOf(this.nodes);
    this.outputs = new Set(Object.values(graph.outputs));
  }

  /** The node's role (cached). */
  role(node: Node): NodeRole {
    let role = this.#roles.get(node);
    if (role === undefined) {
      role = nodeRole(node);
      this.#roles.set(node, role);
    }
    return role;
  }

  /** `nodes` in topological order. */
  sorted(nodes: Iterable<Node>): Node[] {
    return [...nodes].sort((a, b) => this.position.get(a)! - this.position.get(b)!);
  }

  /** Realizes `node` (a kernel reads it, and it roots a kernel of its own); `false` for `admit`. */
  realize(node: Node): false {
    this.realized.add(node);
    return false;
  }

  /** Kernel members that depend on `node` (through other members; not through `stop`). */
  dependents(kernel: Growing, node: Node, stop?: Node): Node[] {
    const found = new Set<Node>();
    const stack = [node];
    while (stack.length > 0) {
      for (const user of this.users.get(stack.pop()!)!) {
        if (user === stop) continue;
        if (kernel.members.has(user) && !found.has(user)) {
          found.add(user);
          stack.push(user);
        }
      }
    }
    return [...found];
  }

  /**
   * Whether a kernel member that depends on `node` passes `test`: {@link dependents} searched
   * only until one does.
   */
  someDependent(kernel: Growing, node: Node, test: (dependent: Node) => boolean): boolean {
    const found = new Set<Node>();
    const stack = [node];
    while (stack.length > 0) {
      for (const user of this.users.get(stack.pop()!)!) {
        if (!kernel.members.has(user) || found.has(user)) continue;
        if (test(user)) return true;
        found.add(user);
        stack.push(user);
      }
    }
    return false;
  }

  /** Members the kernel writes: its root and the graph outputs among them. */
  writtenMembers(kernel: Growing): Node[] {
    return [...kernel.members].filter((node) => node === kernel.root || this.outputs.has(node));
  }
}
