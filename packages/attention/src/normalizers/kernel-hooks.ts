import type { Expr } from '@weft/ir';

/** One pass over the key tiles: statements before it, the per-tile body, statements after it. */
export interface KeyPass {
  /** Statements before the pass. */
  readonly before: readonly string[];
  /** Whether the pass needs V tiles. */
  readonly withValues: boolean;
  /**
   * WGSL condition on a kept key's score `s` under which the pass reads that key's value row (and
   * nothing else of the tile's V). With it, the kernel stages a V tile only when some row of the
   * workgroup has a kept key meeting it: a tile whose every weight is pruned is never loaded.
   */
  readonly valuesWhen?: string;
  /**
   * Per-tile body; in scope: `scores[j]`, the `kept` bitmask, `tile` (`tile.keys` keys from `tile.k0`), `value_tile` (vec4 rows:
   * read it through `accumulate`), `acc`.
   */
  readonly tile: readonly string[];
  /** Statements after the pass. */
  readonly after: readonly string[];
}

/** The WGSL of one normalizer inside the tiled fused kernel. */
export interface NormalizerCode {
  /** Per-invocation state, declared before the passes. */
  readonly setup: readonly string[];
  /** Passes over the keys, in order. */
  readonly passes: readonly KeyPass[];
  /** Statements before the store (in scope: the state). */
  readonly finish: readonly string[];
  /** WGSL f32 factor each accumulator entry is multiplied by at the store. */
  readonly outputScale: string;
  /** WGSL f32 value of the row log-sum-exp (softmax only; may use the `weft_inf()` helper). */
  readonly logSumExp?: string;
}

/** The WGSL of one normalizer in the split-keys (flash decoding) kernel. */
export interface SplitNormalizerCode {
  /** Per-invocation state and parameters (`m_run`, `l_run` and the `acc` array exist already). */
  readonly setup: readonly string[];
  /** Folds one kept key of score `s` into the state. */
  readonly perKey: readonly string[];
  /** Whether partials carry a running max (log-sum-exp merge) rather than adding. */
  readonly rescales: boolean;
  /** Statements after the partials' max `merged_max` is found (a sink joins the max here). */
  readonly mergeMax: readonly string[];
  /** WGSL f32 start of the merged denominator `merged_l` (a sink's term, else 0). */
  readonly mergeInitial: string;
  /** WGSL f32 factor each merged accumulator entry is multiplied by. */
  readonly outputScale: string;
  /** WGSL f32 row log-sum-exp (softmax only; may use the `weft_inf()` helper). */
  readonly logSumExp?: string;
  /** Statements normalizing the merged row `merged_row` in place (identity's output norm), if any. */
  readonly outputNorm?: readonly string[];
  /** Whether the state has a second rescaled sum `w_run`, merged like `l_run` into `merged_w`. */
  readonly weightedSum?: boolean;
  /** Statements after the merge, before the store (in scope: `merged_l`, `merged_w`). */
  readonly outputFinish?: readonly string[];
  /** WGSL f32 stored for value dim `d` from its merged accumulator `total` (default total × outputScale). */
  readonly outputValue?: (total: string, d: string) => string;
}

/** Rendered Exprs: statements, then one WGSL value per root. */
export interface RenderedWgsl {
  /** `let` statements the values read. */
  readonly lines: readonly string[];
  /** One WGSL expression per root. */
  readonly values: readonly string[];
}

/** A helper function of a kernel: `fn name(params) -> returns { body }`, with a comment. */
export interface WgslFunctionSpec {
  /** Function name. */
  readonly name: string;
  /** One-line comment above it. */
  readonly comment: string;
  /** Parameters as `[name, type]` (absent: none). */
  readonly params?: readonly (readonly [string, string])[];
  /** Return type (absent: none). */
  readonly returns?: string;
  /** Statements of the body. */
  readonly body: readonly string[];
}

/** The kernel's helper functions, as a normalizer may add to them. */
export interface WgslFunctions {
  /**
   * Adds `fn name(params) -> returns { body }` and returns its call with `args` (a parameter's
   * argument defaults to its own name).
   */
  define(spec: WgslFunctionSpec): (args?: Readonly<Record<string, string>>) => string;
  /** Adds a complete function (or struct) written by hand. */
  add(lines: readonly string[]): void;
}

/** What both kernels hand a normalizer's hooks. */
export interface WgslHookContext {
  /**
   * Renders Exprs over the attention variables (`h`, `q`, lengths, captured reads) with `let` names
   * under `prefix`; `variables` maps further variable names to WGSL names in scope (`s`, a parameter).
   */
  render(roots: readonly Expr[], prefix: string, variables?: Readonly<Record<string, string>>): RenderedWgsl;
  /** `let name = <expr>;` with the statements it needs (a row parameter such as a per-head bias). */
  parameter(expr: Expr, name: string): string[];
  /** Value head dim. */
  readonly valueDim: number;
  /** The kernel's helper functions. */
  readonly functions: WgslFunctions;
  /** WGSL name of the most negative finite f32 (a running max before any key). */
  readonly lowestF32: string;
  /** Whether the kernel writes the row log-sum-exp (state only it reads is kept only then). */
  readonly logSumExp: boolean;
}

/**
 * What the tiled kernel hands {@link NormalizerDef.kernel}. In scope of a tile body: `scores[j]`,
 * the `kept` bitmask, `tile`, `acc` (the `array<f32, valueDim>` accumulator), the lengths `nq`, `nk`.
 */
export interface KernelHookContext extends WgslHookContext {
  /** Keys per tile. */
  readonly keyBlock: number;
  /**
   * Whether the adapter emulates the GPU on the CPU (SwiftShader): there a workgroup barrier costs
   * more than a tile copy, so a hook may choose a form without one.
   */
  readonly software: boolean;
  /** WGSL running `body` for every kept key of the current tile, with `s` its score. */
  eachKeptKey(body: readonly string[]): string[];
  /**
   * WGSL of one online-softmax tile step: raises `m_run` to the tile's largest kept score,
   * rescales `sums` and `acc` by exp(old − new), then runs `keyBody` per kept key (with `s`).
   */
  onlineSoftmaxTile(sums: readonly string[], keyBody: readonly string[]): string[];
  /** WGSL adding `weight` times the value row of key `j` of the staged tile to `target` (default `acc`). */
  accumulate(weight: string, target?: string): string[];
  /** WGSL declaring `result` = ‖row − v_j‖² for a row held as vec4s `${row}_0`, `${row}_1`, …. */
  valueTileSquaredDistance(row: string, result: string): string[];
}

/** What the split-keys kernel hands {@link SplitHook.code}: one key at a time, score `s`. */
export interface SplitHookContext extends WgslHookContext {
  /** WGSL of one online-softmax step for the key of score `s`: a new max rescales `sums` and `acc`. */
  onlineSoftmaxKey(sums: readonly string[]): string[];
  /** WGSL adding `weight` times the current key's value row to `acc`. */
  accumulate(weight: string): string[];
  /** WGSL load of value dim `d` (i32 text) of the current key `key_i`. */
  loadValue(d: string): string;
}
