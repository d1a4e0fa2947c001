import type { Expr } from '@weft/ir';
import type { RenderedExprs } from '@weft/wgsl';
import type {
  AnyNormalizerDef,
  KernelHookContext,
  NormalizerAttrs,
  NormalizerCode,
  SplitHookContext,
  SplitNormalizerCode,
  WgslHookContext,
} from '../normalizers/normalizer-def.js';
import {
  eachKeptKey,
  LOWEST_F32,
  onlineSoftmaxKey,
  onlineSoftmaxTile,
  type ReadoutTileLines,
} from './online-tile-code.js';
import { accumulateValueTile, valueTileSquaredDistance } from './value-tile-code.js';
import type { KernelFunctions } from './wgsl-functions.js';

export type { KeyPass, NormalizerCode, SplitNormalizerCode } from '../normalizers/normalizer-def.js';

/** What the normalizer hooks need from the template. */
export interface NormalizerContext {
  /** Renders Exprs (over `h` and captured tensors, and `variables` by their WGSL names) with `let` names under `prefix`. */
  render(roots: readonly Expr[], prefix: string, variables?: Readonly<Record<string, string>>): RenderedExprs;
  /** Keys per tile (the tiled kernel) or chunks per row (split keys). */
  readonly keyBlock: number;
  /** Value head dim. */
  readonly valueDim: number;
  /** The kernel's helper functions (normalizers with state of their own define helpers there). */
  readonly functions: KernelFunctions;
  /** Whether the kernel writes the row log-sum-exp (state only it reads is kept only then). */
  readonly logSumExp?: boolean;
  /** Whether the adapter is a software one (see `DeviceProfile.software`). */
  readonly software?: boolean;
  /** Widens a staged value vec4 to f32 (the f16 tier's `widen4`; identity at f32). */
  readonly widen4?: (value: string) => string;
  /** Readout lines the online-softmax tile step also runs (softmax with readouts). */
  readonly readouts?: ReadoutTileLines;
}

/** The tiled kernel's WGSL of `normalizer` through its def's hook (see {@link NormalizerCode}). */
export function normalizerCode(
  def: AnyNormalizerDef,
  normalizer: NormalizerAttrs,
  context: NormalizerContext,
): NormalizerCode {
  const hooks: KernelHookContext = {
    ...wgslHookContext(context),
    keyBlock: context.keyBlock,
    software: context.software === true,
    eachKeptKey,
    onlineSoftmaxTile: (sums, keyBody) =>
      onlineSoftmaxTile(sums, context.valueDim, keyBody, context.readouts),
    accumulate: (weight, target) => accumulateValueTile(weight, context.valueDim, target),
    valueTileSquaredDistance: (row, result) =>
      valueTileSquaredDistance(row, context.valueDim, result, context.widen4),
  };
  return def.kernel(normalizer, hooks);
}

/**
 * The split-keys WGSL of `normalizer` through its def's split hook. `loadValue(d)` is the WGSL load
 * of value dim `d` of key `key_i`. The strategy chooses split keys only where {@link splitsKeys} holds.
 */
export function splitNormalizerCode(
  def: AnyNormalizerDef,
  normalizer: NormalizerAttrs,
  context: NormalizerContext,
  loadValue: (d: string) => string,
): SplitNormalizerCode {
  const hook = def.splitKeys!;
  const hooks: SplitHookContext = {
    ...wgslHookContext(context),
    onlineSoftmaxKey: (sums) => onlineSoftmaxKey(sums, context.valueDim),
    accumulate: (weight) => [
      `for (var d = 0; d < ${context.valueDim}; d++) {`,
      `  acc[d] += ${weight} * ${loadValue('d')};`,
      '}',
    ],
    loadValue,
  };
  return hook.code(normalizer, hooks);
}

/** Whether a node's normalizer has a split-keys hook that supports its attrs. */
export function splitsKeys(def: AnyNormalizerDef, normalizer: NormalizerAttrs): boolean {
  const hook = def.splitKeys;
  return hook !== undefined && (hook.supports?.(normalizer) ?? true);
}

function wgslHookContext(context: NormalizerContext): WgslHookContext {
  return {
    render: (roots, prefix, variables) => context.render(roots, prefix, variables),
    parameter(expr, name) {
      const rendered = context.render([expr], `${name}_`);
      return [...rendered.lines, `let ${name} = ${rendered.values[0]};`];
    },
    valueDim: context.valueDim,
    functions: context.functions,
    lowestF32: LOWEST_F32,
    logSumExp: context.logSumExp === true,
  };
}
