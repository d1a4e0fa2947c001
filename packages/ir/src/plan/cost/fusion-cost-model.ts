/**
 * What one adapter's work costs, as the fusion planner's cost model sees it (see
 * `prologue-cost.ts`): enough to compare a fused kernel that recomputes a prologue against the
 * unfused form that writes the prologue's value once and reads it back. Times are rough estimates
 * in nanoseconds; only their ratios decide.
 */
export interface FusionCostModel {
  /** Name shown with the decisions (`software`, `hardware`, or a caller's own). */
  readonly name: string;
  /** Cost of one more kernel: dispatch, pass and pipeline switch, and a launch's idle time. */
  readonly dispatchNs: number;
  /** Cost of moving one byte to or from memory (one write or one read). */
  readonly byteNs: number;
  /**
   * Cost of one op unit evaluated for one element: an f32 add or multiply (see `EXPR_OP_UNITS` for
   * the units of each scalar operation: a division is several, a transcendental more).
   */
  readonly opNs: number;
  /** How the adapter's matmul kernels reuse their operands (from the code generator's strategy). */
  readonly matmul: MatmulReuse;
}

/**
 * How a matmul kernel spreads its output, which says how often it evaluates each element of an
 * operand's prologue: every invocation (or workgroup, where operands are staged in workgroup
 * memory) that computes a block of output evaluates the prologue of the operand rows or columns
 * it reads.
 */
export interface MatmulReuse {
  /** Output rows that share one evaluation of B's prologue (rows of one invocation or staged tile). */
  readonly rowsPerEvaluation: number;
  /** Output columns that share one evaluation of A's prologue (columns of one invocation or staged tile). */
  readonly columnsPerEvaluation: number;
  /** Output columns that share one computation of A's row statistics (columns of one workgroup). */
  readonly statisticColumns: number;
}

/**
 * A hardware GPU (the default): arithmetic is nearly free next to a dispatch (tens of
 * microseconds in WebGPU) and memory traffic, so prologues are fused unless the matmul is large
 * enough that recomputing them per staged 32×32 tile (`tiled` strategy of `@weft/wgsl`) costs more
 * than a round trip of the operand through memory.
 */
export const HARDWARE_FUSION_COSTS: FusionCostModel = {
  name: 'hardware',
  dispatchNs: 20_000,
  byteNs: 0.001,
  opNs: 0.0001,
  matmul: { rowsPerEvaluation: 32, columnsPerEvaluation: 32, statisticColumns: 32 },
};

/**
 * A software adapter (SwiftShader on a few CPU cores), measured with `pnpm bench`: arithmetic runs
 * at CPU speed (about 1.5 ns per op unit per element, integer index math being slow), a dispatch
 * costs about 0.2 ms, memory about 1 ns per byte. Its matmul kernels (`direct` strategy of
 * `@weft/wgsl`) evaluate A's prologue once per invocation of 4 rows × 8 columns and compute row
 * statistics once per workgroup of 16 invocations (128 columns).
 */
export const SOFTWARE_FUSION_COSTS: FusionCostModel = {
  name: 'software',
  dispatchNs: 200_000,
  byteNs: 1,
  opNs: 1.5,
  matmul: { rowsPerEvaluation: 4, columnsPerEvaluation: 8, statisticColumns: 128 },
};

/**
 * Changes to a cost model (measured values for an adapter); `matmul` may be given in part.
 */
export type FusionCostOverrides = Partial<Omit<FusionCostModel, 'matmul'>> & {
  readonly matmul?: Partial<MatmulReuse>;
};

/**
 * Overrides that make recomputation free, so that the planner fuses every prologue its rules allow
 * whatever the adapter: for tests of the fused templates themselves.
 */
export const FUSE_EVERY_PROLOGUE: FusionCostOverrides = { opNs: 0 };

/** `base` with `overrides` applied (a hook for values measured on the adapter). */
export function withFusionCosts(base: FusionCostModel, overrides: FusionCostOverrides = {}): FusionCostModel {
  return { ...base, ...overrides, matmul: { ...base.matmul, ...overrides.matmul } };
}
