import type { DimBindings } from '../dim.js';
import type { Expr } from '../expr/expr.js';
import type { Attrs, Node, TensorType } from '../graph/node.js';

/**
 * How an op may be fused, from the fusion planner's point of view.
 * - `source`: an input, parameter or constant (no computation).
 * - `elementwise`: output element i depends on input elements at the same (broadcast) index.
 * - `injective`: each output element reads one computed location of each input (reshape, permute,
 *   slice, pad, concat, gather); fusable as an index rewrite.
 * - `reduction`: reduces over axes (sum, max, ...).
 * - `matmul`: batched matrix product; accepts elementwise prologues and epilogues.
 * - `opaque`: needs a kernel of its own (scan, convolution, top-k, extension ops with their own template).
 */
export type FusionKind = 'source' | 'elementwise' | 'injective' | 'reduction' | 'matmul' | 'opaque';

/** A tensor of the reference interpreter: float64 data in row-major order with a concrete shape. */
export interface Tensor64 {
  readonly shape: readonly number[];
  readonly dtype: import('../dtype.js').DType;
  readonly data: Float64Array;
}

/** What an op's rules know about where they run, for error messages. */
export interface OpContext {
  /** The op being built. */
  readonly op: string;
  /** Path of the user block being built, if any. */
  readonly block?: string;
}

/**
 * Arithmetic of a reference evaluation: `f64` (the definition of every op) or `f32`, where every
 * floating-point result is rounded to f32 as it is produced and reductions accumulate in f32, in order.
 */
export type Precision = 'f64' | 'f32';

/** Environment of one reference evaluation. */
export interface EvaluateEnv {
  /** Values bound to symbolic dims for this run. */
  readonly dims: DimBindings;
  /** Arithmetic to evaluate in (absent: `f64`); only ops with {@link OpDef.evaluatesF32} read it. */
  readonly precision?: Precision;
}

/**
 * Everything Weft knows about an op. Built-in ops (see `BUILTIN_OPS`) and extension ops (such as
 * `@weft/attention`'s) are described the same way; every node carries its op's definition
 * ({@link Node.def}), so passes, the interpreter and code generation never look an op up by name.
 */
export interface OpDef {
  /** Unique op name (extension ops are namespaced: `attention.flash`). */
  readonly name: string;
  /** Number of operands, or `variadic`. */
  readonly arity: number | 'variadic';
  /** Fusion kind (see {@link FusionKind}). */
  readonly fusion: FusionKind;
  /** Shape and dtype rule. Throws a `WeftError` naming the op, operand and dim on invalid input. */
  infer(inputs: readonly TensorType[], attrs: Attrs, context: OpContext): TensorType;
  /**
   * Reference semantics in float64 (the definition of the op). Absent only for ops that
   * {@link OpDef.decompose} into ops that have it.
   */
  evaluate?(inputs: readonly Tensor64[], attrs: Attrs, node: Node, env: EvaluateEnv): Tensor64;
  /**
   * For `elementwise` and `injective` ops: the output element at `outputIndex` (one `i32` Expr per
   * output axis) as an Expr over reads of the operands, written `read('$0', index)`, `read('$1', index)`.
   * Sizes of symbolic dims appear as `variable('dim:<name>', 'i32')`. This is what fusion substitutes.
   */
  lowerElement?(node: Node, outputIndex: readonly Expr[]): Expr;
  /**
   * For injective ops of a single operand whose output elements each read a distinct operand
   * element (reshape, permute, slice): where operand element `operandIndex` lands in the output,
   * the inverse of {@link OpDef.lowerElement}, or `undefined` when the op cannot say (a slice with
   * a negative step). Lets a kernel that computes the operand store it straight at its place in
   * the output (a matmul epilogue that splits heads, or writes one chunk of its columns).
   */
  placeElement?(node: Node, operandIndex: readonly Expr[]): PlacedIndex | undefined;
  /** Rewrites the node into primitive ops (used for the reference and the unfused baseline). */
  decompose?(node: Node): Node;
  /**
   * Whether {@link OpDef.evaluate} honours `env.precision === 'f32'`: rounds each intermediate
   * result to f32 and accumulates in f32, in order. In f32 mode the interpreter evaluates an op
   * without it through {@link OpDef.decompose} where it has one, else evaluates it in float64 and
   * rounds only its result (which understates the f32 error of that op). Every built-in op has it.
   */
  readonly evaluatesF32?: boolean;
  /**
   * The node's main options in a few words, for kernel labels, profiles and plan listings
   * (`causal, softmax` for attention); absent: the kernel label shows the template alone.
   */
  describe?(node: Node): string;
  /**
   * For `opaque` ops whose template can write several results of one pass: nodes of this op over
   * the same operands whose keys are equal (and not `undefined`) are computed by one kernel that
   * writes each of them (attention's output, its row log-sum-exp and row max). The fused planner
   * merges their kernels; the template finds every result among `kernel.outputs`.
   */
  sharedKernelKey?(node: Node): string | undefined;
  /**
   * For `opaque` ops whose template indexes operands with strides (`KernelContext.elementOffset`):
   * the positions of the operands it may read through a view, a chain of reshapes, permutes and
   * slices over a tensor in memory (attention reads packed `[B, N, H·d]` projections as
   * `[B, H, N, d]` heads). The fused planner then reads the tensor under the view, and no kernel
   * copies it.
   */
  viewOperands?(node: Node): readonly number[];
  /**
   * For `opaque` ops whose template stores its result with strides: whether it may write `node`
   * straight into the layout of the reshapes and permutes that alone read it (attention's output
   * as merged heads `[B, N, H·d_v]`).
   */
  writesThroughView?(node: Node): boolean;
}

/** Where an operand element lands in an op's output (see {@link OpDef.placeElement}). */
export interface PlacedIndex {
  /** The output index (one i32 Expr per output axis). */
  readonly index: readonly Expr[];
  /** A bool Expr: whether the element lands in the output at all (absent: always, a bijection). */
  readonly inside?: Expr;
}
