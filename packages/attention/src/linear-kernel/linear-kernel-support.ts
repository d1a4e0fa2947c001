import { type Dim, type Kernel, UnsupportedError, variable } from '@weft/ir';
import type { KernelContext } from '@weft/wgsl';
import type { FeatureMap } from '../linear/feature-maps.js';

/** Invocations per workgroup of the linear-attention kernels. */
export const LINEAR_WORKGROUP = 64;

/** A WGSL f32 literal (`2` becomes `2.0`). */
export function f32Literal(value: number): string {
  const text = String(Math.fround(value));
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** WGSL text (i32) of a dim: its number, or its value from the `params` uniform. */
export function dimText(context: KernelContext, dim: Dim): string {
  return typeof dim === 'number' ? String(dim) : `i32(${context.dim(dim.name)})`;
}

/** `fn feature_map(x: f32) -> f32`, rendered from φ's Expr. */
export function featureMapFunction(context: KernelContext, featureMap: FeatureMap): string {
  const rendered = context.render([featureMap.expr(variable('x'))], { x: 'x' }, 'phi_');
  return [
    `// φ = ${featureMap.name}`,
    'fn feature_map(x: f32) -> f32 {',
    ...rendered.lines.map((line) => `  ${line}`),
    `  return ${rendered.values[0]};`,
    '}',
  ].join('\n');
}

/** `var log_rates = array<f32, H>(…);` and `let log_rate = log_rates[h_i];` for a decay, else nothing. */
export function logRateLines(decay: readonly number[] | null): string[] {
  if (decay === null) return [];
  return [
    `var log_rates = array<f32, ${decay.length}>(${decay.map((rate) => f32Literal(Math.log(rate))).join(', ')});`,
    'let log_rate = log_rates[h_i];',
  ];
}

/** A static dim of an operand, or an `UnsupportedError` naming the block and tensor. */
export function staticDim(kernel: Kernel, block: string, tensor: string, dim: Dim, axis: number): number {
  if (typeof dim === 'number') return dim;
  throw new UnsupportedError(
    `kernel ${kernel.id}: linear attention "${block}" needs a static ${tensor} dim`,
    {
      block,
      tensor,
      dimension: axis,
      expected: 'a number',
      actual: dim.name,
    },
  );
}
