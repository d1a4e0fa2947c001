import { constant, type Expr, substituteExpr } from '@weft/ir';
import type { KernelHookContext, NormalizerCode, WgslHookContext } from './kernel-hooks.js';
import { FEATURE_INDEX, type PLaplacianAttrs } from './p-laplacian-attrs.js';

/**
 * The WGSL of the p-Laplacian normalizer in the fused kernel, one online pass: the running max m
 * rescales l = Σ e^{s−m}, w = Σ e^{s−m}·g_j and acc = Σ e^{s−m}·g_j·v_j, where
 * g_j = (‖x − v_j‖² + ε)^{(p−2)/2} costs dv operations per key (the feature row x stays in
 * registers as vec4s). At the store Σ_j M_j = w/l and Σ_j M_j v_j = acc/l, so
 * o = α·acc/l + (c·μ/p)·α·x with α = 1/(w/l + 2μ/p).
 */
export function pLaplacianCode(normalizer: PLaplacianAttrs, context: KernelHookContext): NormalizerCode {
  const valueDim = context.valueDim;
  return {
    setup: [
      ...pLaplacianParameters(normalizer, context),
      `var m_run = ${context.lowestF32};`,
      'var l_run = 0.0;',
      'var w_run = 0.0;',
    ],
    passes: [
      {
        before: [],
        withValues: true,
        tile: context.onlineSoftmaxTile(
          ['l_run', 'w_run'],
          pLaplacianKeyCode(
            normalizer,
            (weight) => context.accumulate(weight),
            context.valueTileSquaredDistance('feature_vec', 'squared_distance'),
          ),
        ),
        after: [],
      },
    ],
    finish: [
      ...pLaplacianFinish(normalizer),
      ...Array.from(
        { length: valueDim },
        (_, d) => `acc[${d}] = acc[${d}] * key_scale + self_weight * feature_vec_${d >> 2}[${d & 3}];`,
      ),
    ],
    outputScale: '1.0',
  };
}

/**
 * WGSL folding one kept key (score `s`, running max `m_run`) into l, w and acc, with
 * `accumulate(weight)` adding the weighted value row and `distance` declaring `squared_distance`.
 */
export function pLaplacianKeyCode(
  normalizer: PLaplacianAttrs,
  accumulate: (weight: string) => string[],
  distance: readonly string[],
): string[] {
  return [
    'let e = exp(s - m_run);',
    'l_run += e;',
    ...distance,
    `let distance_weight = e * pow(squared_distance + ${floatLiteral(normalizer.epsilon)}, laplacian_exponent);`,
    'w_run += distance_weight;',
    ...accumulate('distance_weight'),
  ];
}

/**
 * WGSL turning the sums `sum` (l) and `weightedSum` (w) into `key_scale` (α/l, multiplying acc) and
 * `self_weight` (β = c·μ/p·α, multiplying x); a zero denominator gives 0.
 */
export function pLaplacianFinish(
  normalizer: PLaplacianAttrs,
  sum = 'l_run',
  weightedSum = 'w_run',
): string[] {
  return [
    `let laplacian_mass = select(0.0, ${weightedSum} / ${sum}, ${sum} > 0.0);`,
    'let laplacian_denominator = laplacian_mass + laplacian_anchor;',
    'let alpha = select(0.0, 1.0 / laplacian_denominator, laplacian_denominator != 0.0);',
    `let key_scale = select(0.0, alpha / ${sum}, ${sum} > 0.0);`,
    `let self_weight = ${floatLiteral(normalizer.anchorScale)} * laplacian_mu / laplacian_p * alpha;`,
  ];
}

/**
 * WGSL declaring the row's feature vec4s, p, μ, the exponent (p − 2)/2 and the anchor 2μ/p
 * (`laplacian_*`).
 */
export function pLaplacianParameters(normalizer: PLaplacianAttrs, context: WgslHookContext): string[] {
  const parameters = context.render([normalizer.p, normalizer.mu], 'laplacian_');
  return [
    ...featureVectors(normalizer.features, context),
    ...parameters.lines,
    `let laplacian_p = ${parameters.values[0]};`,
    `let laplacian_mu = ${parameters.values[1]};`,
    'let laplacian_exponent = (laplacian_p - 2.0) * 0.5;',
    'let laplacian_anchor = 2.0 * laplacian_mu / laplacian_p;',
  ];
}

/** WGSL declaring `feature_vec_0…`: the row's features as zero-padded vec4s. */
export function featureVectors(features: Expr, context: WgslHookContext): string[] {
  const valueDim = context.valueDim;
  const exprs = Array.from({ length: valueDim }, (_, d) =>
    substituteExpr(features, (node) =>
      node.kind === 'var' && node.payload === FEATURE_INDEX.payload ? constant(d, 'i32') : undefined,
    ),
  );
  const rendered = context.render(exprs, 'feature_');
  return [
    ...rendered.lines,
    ...Array.from({ length: Math.ceil(valueDim / 4) }, (_, vector) => {
      const lanes = Array.from({ length: 4 }, (_, lane) => rendered.values[4 * vector + lane] ?? '0.0');
      return `let feature_vec_${vector} = vec4<f32>(${lanes.join(', ')});`;
    }),
  ];
}

function floatLiteral(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
