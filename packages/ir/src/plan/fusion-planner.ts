/**
 * The fusion planner: groups the nodes of an optimized graph into kernels, each an instance of
 * one template (`elementwise`, `row`, `reduce`, `matmul`, or an opaque op's own template).
 *
 * Algorithm. A node is *realized* when its value is written to memory; a kernel is a realized
 * node (its root) plus the unrealized nodes it depends on, up to sources and other realized nodes
 * (which it reads). Realized from the start: graph outputs nobody else reads, opaque nodes and
 * their operands. Roots are then visited from the last to the first in topological order; each
 * grows its kernel backwards, visiting candidates in decreasing topological position (so every
 * user of a candidate that belongs to the kernel is already known), and either takes the
 * candidate in or realizes it (the kernel reads it, and it roots a kernel of its own later):
 * 1. `constant` (filled) nodes are taken in: they are literals in the kernel's Exprs, never buffers.
 *    Other sources and realized nodes are read.
 * 2. Cost rule. Recomputing an elementwise value costs a load of each input of its cone at every
 *    evaluation; writing it costs one store and one load per reader. A kernel evaluates a value
 *    once per element when only elementwise nodes use it (an elementwise kernel, an epilogue), but
 *    many times when it feeds a matmul operand (once per output block of the other axis) or a
 *    reduction (once per statistics pass). So an elementwise candidate that this kernel would
 *    evaluate many times, and whose cone is the epilogue of one matmul that nothing else reads (the
 *    residual sum `x + (attn · Wo + bo)` under a norm), is *materialized*: that matmul's kernel
 *    writes it at the cost of a store and no extra dispatch, and every kernel reads it, so no later
 *    kernel repeats earlier residual adds. Planning runs again with those decisions known from the
 *    start until it adds none (a kernel grown earlier may have recomputed the value).
 * 3. Otherwise a candidate with a user outside the kernel is taken in (recomputed in each kernel that
 *    needs it) only if it is cheap: elementwise/injective, with at most {@link CHEAP_CONE_LIMIT} such
 *    nodes in its unrealized cone; reductions and matmuls at the edge of that cone are realized.
 *    Otherwise it is realized. A graph output with other users is always realized; one whose users
 *    are all in the kernel becomes an extra output of the kernel.
 * 4. Elementwise and injective candidates are taken in (prologues, epilogues, side inputs).
 * 5. A matmul is taken in when the kernel has no matmul and no reduction, and every kernel node
 *    that depends on it (its epilogue) is a function of one matmul element: elementwise nodes of the
 *    matmul's shape, and reshapes, permutes and slices, whose `placeElement` says where the element
 *    lands, so the kernel stores each output at its place (heads split by the store; a slice
 *    stored inside its window only). An operand whose elementwise chain hides a matmul, or a
 *    reduction other than a row statistic of A (rule 7), is realized, with one exception: a small
 *    chain (at most {@link CHEAP_CONE_LIMIT} + 1 nodes) on A that only this matmul reads and that
 *    no epilogue can write (it reads other matmuls' outputs through different layouts: SwiGLU's
 *    `silu(gate) · up`, two slices of the gate/up matmul) is recomputed in the prologue, sparing a
 *    dispatch and a round trip; the matmuls it reads are realized.
 * 6. A reduction is taken in when the kernel has no matmul and every kernel node that depends on
 *    it is per-element or per-row in its domain (per-element includes any reshape of the domain:
 *    reshapes keep row-major order, so GroupNorm's groups fold back into channels in the kernel),
 *    and reads the statistics of its own row: elementwise on its own shape or on per-row values
 *    kept as size-1 axes, or a reshape (never a permute, slice or column broadcast). A second
 *    reduction must reduce the same trailing axes of the same shape (softmax: max then sum;
 *    LayerNorm: mean then variance); a reduction over non-trailing axes (`reduce` template) takes
 *    no second one and no per-element consumers.
 * 7. In a matmul kernel, a `sum`/`mean`/`max`/`min` over the last axis of A (not transposed, not
 *    broadcast over the batch) is taken in as a row statistic of the prologue when everything that
 *    depends on it reaches the matmul only through A (never B or the epilogue), per-element or
 *    per-row in A's rows and reading its own row: the matmul kernel computes the statistics of its
 *    block of rows before the K loop and applies the norm while loading A (LayerNorm, RMSNorm,
 *    softmax → matmul in one kernel). Per-element values of A's prologue that are graph outputs
 *    (the sum of residual add + norm) are written by the kernel while loading A.
 * Three passes then merge kernels: a `row` kernel into the first later kernel that reads it when
 * that is a `row` kernel of the same domain (one kernel writes several per-row statistics:
 * AdaLIN's layer mean and variance); an `elementwise` kernel that reads only sources and one
 * matmul kernel's outputs into that kernel, as epilogue outputs (adaLN-Zero's gate chunk); and
 * `elementwise` kernels of one iteration space that do not depend on each other into one kernel
 * with several outputs (a decoder step's K- and V-cache updates).
 * Kernels are dispatched in the topological order of their roots (a merged kernel takes the place
 * that keeps it valid): a kernel reads only sources and outputs of earlier kernels. With `fuse: false` every non-source node is
 * a kernel of its own (the unfused baseline).
 */
import { type Graph, graphNodes, usersOf } from '../graph/graph.js';
import type { Node } from '../graph/node.js';
import { shapesEqual } from '../shape.js';
import { epilogueLayout } from './epilogue-layout.js';
import type { Kernel, KernelPlan, KernelTemplate } from './kernel-plan.js';
import { mergeEpilogueKernels } from './merge-epilogue-kernels.js';
import { mergeRowKernels } from './merge-row-kernels.js';
import { mergeSiblingKernels } from './merge-sibling-kernels.js';
import {
  isPerElement,
  isPerRow,
  isRowReshape,
  matmulRowDomain,
  PROLOGUE_REDUCTIONS,
  type ReductionDomain,
  readsOwnRow,
  reductionDomain,
  sameDomain,
} from './reduction-domain.js';
import { DEFAULT_MAX_KERNEL_OUTPUTS, splitWideKernels } from './split-wide-kernels.js';

/** Options of {@link planFusion}. */
export interface FusionOptions {
  /** `false`: one kernel per non-source node (the unfused baseline). Default `true`. */
  readonly fuse?: boolean;
  /**
   * Most outputs one kernel may write: wider elementwise kernels are split (each output takes a
   * storage binding; a device has `maxStorageBuffersPerShaderStage`). Default
   * {@link DEFAULT_MAX_KERNEL_OUTPUTS}.
   */
  readonly maxKernelOutputs?: number;
}

/**
 * Largest elementwise/injective cone a shared value may have and still be recomputed in each
 * kernel that reads it instead of being written once (a broadcast parameter, a scaled input).
 */
export const CHEAP_CONE_LIMIT = 4;

/** Groups the nodes of `graph` into kernels (see the algorithm above). */
export function planFusion(graph: Graph, options: FusionOptions = {}): KernelPlan {
  const planner = new FusionPlanner(graph);
  const planned = options.fuse === false ? planner.unfused() : planner.fused();
  const kernels = splitWideKernels(planned, options.maxKernelOutputs ?? DEFAULT_MAX_KERNEL_OUTPUTS);
  return { graph, kernels: kernels.map((kernel, id) => ({ ...kernel, id })) };
}

/** How the planner treats a node, from its op table row. */
export type NodeRole = 'source' | 'pointwise' | 'reduction' | 'matmul' | 'opaque';

/**
 * The planner's view of a node: elementwise and injective ops with a `lowerElement` are
 * `pointwise`; reductions whose axes it can read are `reduction`; anything else that computes is `opaque`.
 */
export function nodeRole(node: Node): NodeRole {
  const def = node.def;
  switch (def.fusion) {
    case 'source':
      return 'source';
    case 'elementwise':
    case 'injective':
      return def.lowerElement === undefined ? 'opaque' : 'pointwise';
    case 'reduction':
      return reductionDomain(node) === undefined ? 'opaque' : 'reduction';
    case 'matmul':
      return 'matmul';
    case 'opaque':
      return 'opaque';
  }
}

// ---------------------------------------------------------------------------------------------
// Implementation

type KernelDraft = Omit<Kernel, 'id'>;

/** The kernel being grown around one root. */
interface Growing {
  readonly root: Node;
  readonly members: Set<Node>;
  matmul: Node | undefined;
  domain: ReductionDomain | undefined;
  readonly reductions: Node[];
}

class FusionPlanner {
  private readonly nodes: readonly Node[];
  private readonly position: ReadonlyMap<Node, number>;
  private readonly users: ReadonlyMap<Node, readonly Node[]>;
  private readonly outputs: ReadonlySet<Node>;
  private readonly roles = new Map<Node, NodeRole>();
  private realized = new Set<Node>();
  /** Nodes the cost rule decided to write to memory; kept from one planning round to the next. */
  private readonly materialized = new Set<Node>();

  constructor(graph: Graph) {
    this.nodes = graphNodes(graph);
    this.position = new Map(this.nodes.map((node, index) => [node, index]));
    this.users = usersOf(this.nodes);
    this.outputs = new Set(Object.values(graph.outputs));
  }

  unfused(): KernelDraft[] {
    return this.nodes
      .filter((node) => this.role(node) !== 'source')
      .map((node) => {
        // An operand used twice (x * x) is one tensor to read, not two.
        const operands = [...new Set(node.inputs)];
        const constants = operands.filter((operand) => operand.op === 'constant');
        const reads = operands.filter((operand) => operand.op !== 'constant');
        const role = this.role(node);
        const domain = role === 'reduction' ? reductionDomain(node) : undefined;
        const matmul = role === 'matmul' ? node : undefined;
        return this.draft(
          node,
          [...constants, node],
          reads,
          domain === undefined ? [] : [node],
          matmul,
          domain,
        );
      });
  }

  fused(): KernelDraft[] {
    // A kernel grown early may recompute a value that a kernel grown later decides to materialize;
    // plan again with every such decision known from the start, until none is added.
    for (;;) {
      const decided = this.materialized.size;
      const kernels = this.fusedRound();
      if (this.materialized.size === decided) return kernels;
    }
  }

  private fusedRound(): KernelDraft[] {
    this.realized = new Set(this.materialized);
    for (const node of this.nodes) {
      const role = this.role(node);
      if (role === 'source') continue;
      if (role === 'opaque') {
        this.realized.add(node);
        for (const operand of node.inputs) if (this.role(operand) !== 'source') this.realized.add(operand);
      }
      if (this.outputs.has(node) && this.users.get(node)!.length === 0) this.realized.add(node);
    }
    const kernels: KernelDraft[] = [];
    for (let index = this.nodes.length - 1; index >= 0; index--) {
      const node = this.nodes[index]!;
      if (this.realized.has(node)) kernels.push(this.grow(node));
    }
    const sort = (nodes: Iterable<Node>): Node[] => this.sorted(nodes);
    const merged = mergeEpilogueKernels(
      mergeRowKernels(kernels.reverse(), this.outputs, sort),
      this.outputs,
      sort,
    );
    return mergeSiblingKernels(merged, sort);
  }

  private grow(root: Node): KernelDraft {
    const kernel: Growing = {
      root,
      members: new Set([root]),
      matmul: undefined,
      domain: undefined,
      reductions: [],
    };
    const reads = new Set<Node>();
    if (this.role(root) === 'opaque') {
      for (const operand of root.inputs) (operand.op === 'constant' ? kernel.members : reads).add(operand);
      return this.finish(kernel, reads);
    }
    if (this.role(root) === 'matmul') this.takeMatmul(kernel, root);
    if (this.role(root) === 'reduction') this.takeReduction(kernel, root, reductionDomain(root)!);
    const needed = new Set(root.inputs);
    for (let index = this.position.get(root)! - 1; index >= 0 && needed.size > 0; index--) {
      const candidate = this.nodes[index]!;
      if (!needed.delete(candidate)) continue;
      if (this.admit(kernel, candidate)) {
        kernel.members.add(candidate);
        for (const operand of candidate.inputs) needed.add(operand);
      } else {
        reads.add(candidate);
      }
    }
    return this.finish(kernel, reads);
  }

  /** Whether `candidate` joins the kernel; otherwise it is read (a source, or realized now). */
  private admit(kernel: Growing, candidate: Node): boolean {
    if (candidate.op === 'constant') return true;
    const role = this.role(candidate);
    if (role === 'source') return false;
    if (this.realized.has(candidate)) return false;
    if (role === 'pointwise' && this.repeats(kernel, candidate) && this.epilogueOfProducer(candidate)) {
      this.materialized.add(candidate);
      return this.realize(candidate);
    }
    const sharedOutside = this.users.get(candidate)!.some((user) => !kernel.members.has(user));
    if (sharedOutside && (this.outputs.has(candidate) || !this.recomputable(candidate)))
      return this.realize(candidate);
    if (this.outputs.has(candidate) && !this.canWrite(kernel, candidate)) return this.realize(candidate);
    switch (role) {
      case 'pointwise':
        return true;
      case 'matmul':
        return this.fitsMatmul(kernel, candidate)
          ? this.takeMatmul(kernel, candidate)
          : this.realize(candidate);
      case 'reduction': {
        const domain = reductionDomain(candidate)!;
        const fits =
          kernel.matmul === undefined
            ? this.fitsReduction(kernel, candidate, domain)
            : this.fitsPrologue(kernel, kernel.matmul, candidate, domain);
        return fits ? this.takeReduction(kernel, candidate, domain) : this.realize(candidate);
      }
      default:
        return this.realize(candidate);
    }
  }

  /**
   * Whether the kernel can write `node` as an extra output: in its matmul's epilogue, in its
   * reduction domain, or (with neither) in the root's shape. Checked again when a matmul or
   * reduction joins, for the outputs already taken in.
   */
  private canWrite(kernel: Growing, node: Node): boolean {
    if (kernel.matmul !== undefined) {
      if (this.dependents(kernel, kernel.matmul).includes(node)) return true;
      const rows = matmulRowDomain(kernel.matmul);
      return rows !== undefined && isPerElement(rows, node.shape);
    }
    if (kernel.domain !== undefined) return this.inDomain(kernel.domain, node);
    return shapesEqual(node.shape, kernel.root.shape);
  }

  private fitsMatmul(kernel: Growing, matmul: Node): boolean {
    if (kernel.matmul !== undefined || kernel.reductions.length > 0) return false;
    const epilogue = this.sorted(this.dependents(kernel, matmul));
    const epilogueFits =
      epilogue.every((node) => this.role(node) === 'pointwise') &&
      epilogueLayout(matmul, epilogue) !== undefined;
    return (
      epilogueFits && this.writtenMembers(kernel).every((node) => node === matmul || epilogue.includes(node))
    );
  }

  private takeMatmul(kernel: Growing, matmul: Node): true {
    kernel.matmul = matmul;
    // A prologue is an elementwise chain, plus (on A) reductions over A's rows: realize an
    // operand whose chain hides heavier work.
    const rows = matmulRowDomain(matmul);
    matmul.inputs.forEach((operand, position) => {
      const allowed = (heavy: Node): boolean =>
        position === 0 && rows !== undefined && this.prologueReduction(heavy, rows);
      if (
        this.role(operand) === 'pointwise' &&
        !this.realized.has(operand) &&
        this.hidesHeavyWork(operand, allowed) &&
        (this.epilogueOfProducer(operand) ||
          !(position === 0 && this.fusesIntoPrologue(matmul, operand, allowed)))
      ) {
        this.realized.add(operand);
      }
    });
    return true;
  }

  /**
   * Whether a kernel evaluates `candidate` more than once per element: something in it that
   * depends on the candidate is a matmul (each operand element is loaded once per output block of
   * the other axis) or a reduction (each element is read by every statistics pass).
   */
  private repeats(kernel: Growing, candidate: Node): boolean {
    return this.dependents(kernel, candidate).some((node) => {
      const role = this.role(node);
      return role === 'matmul' || role === 'reduction';
    });
  }

  /**
   * Whether the unrealized elementwise cone of `node` is the epilogue of one matmul that nothing
   * outside the cone reads: that matmul's kernel can write `node` at the cost of one store, where
   * recomputing the cone costs a load of each of its inputs at every evaluation.
   */
  private epilogueOfProducer(node: Node): boolean {
    const cone = this.pointwiseCone(node);
    if (cone === undefined || cone.heavy.length !== 1) return false;
    const matmul = cone.heavy[0]!;
    if (this.role(matmul) !== 'matmul') return false;
    const inside = (user: Node): boolean => cone.nodes.has(user);
    // Side inputs of the epilogue (a bias, an embedding) may be shared; the epilogue itself not.
    const epilogue = this.sorted(cone.nodes).filter((member) =>
      this.hasOperandPath(member, matmul, cone.nodes),
    );
    return (
      this.users.get(matmul)!.every(inside) &&
      epilogue.every((member) => member === node || this.users.get(member)!.every(inside)) &&
      epilogueLayout(matmul, epilogue) !== undefined
    );
  }

  /**
   * Whether A's elementwise chain `operand`, which reads another matmul's output, is recomputed in
   * the prologue instead of written by a kernel of its own: only this matmul reads it, its cone is
   * small ({@link CHEAP_CONE_LIMIT}), and it reaches no reduction the prologue cannot compute.
   * (SwiGLU's `silu(gate) · up` reads two slices of one matmul, which no epilogue can place.)
   */
  private fusesIntoPrologue(matmul: Node, operand: Node, statistic: (heavy: Node) => boolean): boolean {
    if (!this.users.get(operand)!.every((user) => user === matmul)) return false;
    const cone = this.pointwiseCone(operand, statistic);
    return (
      cone !== undefined &&
      cone.nodes.size <= CHEAP_CONE_LIMIT + 1 &&
      cone.heavy.every((heavy) => this.role(heavy) === 'matmul' || this.realized.has(heavy))
    );
  }

  /**
   * The elementwise nodes `node` is computed from, up to sources, realized values and heavy
   * (non-elementwise) nodes, which are listed apart; `through` names heavy nodes the cone continues
   * past (row statistics a prologue computes), not counted. `undefined` past 64 nodes.
   */
  private pointwiseCone(
    node: Node,
    through: (heavy: Node) => boolean = () => false,
  ): { nodes: Set<Node>; heavy: Node[] } | undefined {
    const nodes = new Set<Node>([node]);
    const heavy = new Set<Node>();
    const passed = new Set<Node>();
    const stack = [node];
    while (stack.length > 0) {
      for (const operand of stack.pop()!.inputs) {
        const role = this.role(operand);
        if (role === 'source' || nodes.has(operand) || passed.has(operand)) continue;
        if (role !== 'pointwise' && !this.realized.has(operand) && through(operand)) {
          passed.add(operand);
          stack.push(operand);
          continue;
        }
        if (role !== 'pointwise') {
          heavy.add(operand);
          continue;
        }
        if (this.realized.has(operand)) continue;
        nodes.add(operand);
        if (nodes.size > 64) return undefined;
        stack.push(operand);
      }
    }
    return { nodes, heavy: [...heavy] };
  }

  /** Whether `node` reads `source` through members of `through`. */
  private hasOperandPath(node: Node, source: Node, through: ReadonlySet<Node>): boolean {
    return node.inputs.some(
      (operand) =>
        operand === source || (through.has(operand) && this.hasOperandPath(operand, source, through)),
    );
  }

  /** Whether `node` is a reduction a matmul prologue can compute over the rows of `rows`. */
  private prologueReduction(node: Node, rows: ReductionDomain): boolean {
    const domain = this.role(node) === 'reduction' ? reductionDomain(node) : undefined;
    return (
      domain !== undefined &&
      node.op === 'reduce' &&
      PROLOGUE_REDUCTIONS.includes(String(node.attrs.fn)) &&
      sameDomain(domain, rows)
    );
  }

  /**
   * Whether a reduction joins a matmul kernel as a row statistic of A: it reduces A's rows, and
   * everything in the kernel that depends on it (short of the matmul) is per-element or per-row
   * in A's rows and reaches the matmul only through A — never B or the epilogue.
   */
  private fitsPrologue(kernel: Growing, matmul: Node, reduction: Node, domain: ReductionDomain): boolean {
    const rows = matmulRowDomain(matmul);
    if (rows === undefined || !this.prologueReduction(reduction, rows)) return false;
    if (kernel.domain !== undefined && !sameDomain(kernel.domain, domain)) return false;
    const epilogue = new Set(this.dependents(kernel, matmul));
    const b = matmul.inputs[1];
    const side = this.dependents(kernel, reduction, matmul);
    return (
      this.ownRows(rows, reduction, side) &&
      side.every(
        (node) =>
          node !== matmul &&
          node !== b &&
          !epilogue.has(node) &&
          (this.role(node) === 'pointwise' || kernel.reductions.includes(node)) &&
          this.inDomain(rows, node),
      )
    );
  }

  private fitsReduction(kernel: Growing, reduction: Node, domain: ReductionDomain): boolean {
    if (kernel.matmul !== undefined) return false;
    if (kernel.domain !== undefined && !(kernel.domain.trailing && sameDomain(kernel.domain, domain)))
      return false;
    const dependents = this.dependents(kernel, reduction);
    const dependentsFit = dependents.every(
      (node) =>
        (this.role(node) === 'pointwise' || this.role(node) === 'reduction') && this.inDomain(domain, node),
    );
    return (
      dependentsFit &&
      this.ownRows(domain, reduction, dependents) &&
      this.writtenMembers(kernel).every((node) => this.inDomain(domain, node))
    );
  }

  /** Whether every node that uses the statistics of `reduction` reads those of its own row. */
  private ownRows(domain: ReductionDomain, reduction: Node, dependents: readonly Node[]): boolean {
    const carriers = new Set([reduction, ...dependents]);
    return dependents.every((node) =>
      node.inputs.every((operand) => !carriers.has(operand) || readsOwnRow(domain, node, operand)),
    );
  }

  /** Per-row, or (for a `row` kernel) per-element in the domain, possibly through a row-keeping reshape. */
  private inDomain(domain: ReductionDomain, node: Node): boolean {
    return isPerRow(domain, node.shape) || isRowReshape(domain, node.shape);
  }

  /** Members the kernel writes: its root and the graph outputs among them. */
  private writtenMembers(kernel: Growing): Node[] {
    return [...kernel.members].filter((node) => node === kernel.root || this.outputs.has(node));
  }

  private takeReduction(kernel: Growing, reduction: Node, domain: ReductionDomain): true {
    kernel.domain ??= domain;
    kernel.reductions.push(reduction);
    return true;
  }

  private realize(node: Node): false {
    this.realized.add(node);
    return false;
  }

  /** Kernel members that depend on `node` (through other members; not through `stop`). */
  private dependents(kernel: Growing, node: Node, stop?: Node): Node[] {
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
   * Whether a shared node may be recomputed by each kernel that reads it: its unrealized
   * elementwise/injective cone is small. Reductions and matmuls at the edge of the cone are
   * realized, so the recomputed part never repeats heavy work.
   */
  private recomputable(node: Node): boolean {
    if (this.role(node) !== 'pointwise') return false;
    const cone = new Set<Node>([node]);
    const frontier: Node[] = [];
    const stack = [node];
    while (stack.length > 0) {
      for (const operand of stack.pop()!.inputs) {
        const role = this.role(operand);
        if (role === 'source' || this.realized.has(operand) || cone.has(operand)) continue;
        if (role !== 'pointwise') {
          frontier.push(operand);
          continue;
        }
        cone.add(operand);
        if (cone.size > CHEAP_CONE_LIMIT) return false;
        stack.push(operand);
      }
    }
    for (const heavy of frontier) this.realized.add(heavy);
    return true;
  }

  /** Whether the unrealized elementwise cone of `node` reaches a reduction or matmul (other than `allowed` ones). */
  private hidesHeavyWork(node: Node, allowed: (heavy: Node) => boolean = () => false): boolean {
    const seen = new Set<Node>();
    const stack = [node];
    while (stack.length > 0) {
      const current = stack.pop()!;
      const role = this.role(current);
      if (role === 'source' || this.realized.has(current) || seen.has(current)) continue;
      seen.add(current);
      if (role !== 'pointwise' && !allowed(current)) return true;
      stack.push(...current.inputs);
    }
    return false;
  }

  private finish(kernel: Growing, reads: ReadonlySet<Node>): KernelDraft {
    const members = this.sorted(kernel.members);
    const outputs = this.sorted(this.writtenMembers(kernel));
    const last = kernel.reductions.reduce<Node | undefined>(
      (latest, node) =>
        latest === undefined || this.position.get(node)! > this.position.get(latest)! ? node : latest,
      undefined,
    );
    return this.draft(
      kernel.root,
      members,
      this.sorted(reads),
      last === undefined ? [] : [last],
      kernel.matmul,
      kernel.domain,
      outputs,
    );
  }

  private draft(
    root: Node,
    nodes: readonly Node[],
    inputs: readonly Node[],
    reductions: readonly Node[],
    matmul: Node | undefined,
    domain: ReductionDomain | undefined,
    outputs: readonly Node[] = [root],
  ): KernelDraft {
    return {
      template: templateOf(root, this.role(root), matmul, domain),
      anchor: matmul ?? reductions[0] ?? root,
      nodes,
      inputs,
      outputs,
    };
  }

  private sorted(nodes: Iterable<Node>): Node[] {
    return [...nodes].sort((a, b) => this.position.get(a)! - this.position.get(b)!);
  }

  private role(node: Node): NodeRole {
    let role = this.roles.get(node);
    if (role === undefined) {
      role = nodeRole(node);
      this.roles.set(node, role);
    }
    return role;
  }
}

function templateOf(
  root: Node,
  role: NodeRole,
  matmul: Node | undefined,
  domain: ReductionDomain | undefined,
): KernelTemplate {
  if (role === 'opaque') return root.op;
  if (matmul !== undefined) return 'matmul';
  if (domain !== undefined) return domain.trailing ? 'row' : 'reduce';
  return 'elementwise';
}
