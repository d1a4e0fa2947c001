import type { IdentityAttrs } from './identity.js';

/**
 * WGSL that normalizes the f32 array `row` (`valueDim` entries) in place with the output norm of an
 * `identity` normalizer: `rms` x·rsqrt(mean(x²) + ε), `layer` (x − μ)·rsqrt(var(x) + ε). A zero
 * denominator gives 0, never NaN. Empty for `none`. The invocation owns the
 * whole row, so this runs as an epilogue right before the store.
 */
export function outputNormCode(normalizer: IdentityAttrs, valueDim: number, row: string): string[] {
  if (normalizer.outputNorm === 'none') return [];
  // LayerNorm: the mean corrected once (μ₀ + mean(x − μ₀)), as the norms package does.
  const mean =
    normalizer.outputNorm === 'layer'
      ? [
          'var norm_mean = 0.0;',
          `for (var d = 0; d < ${valueDim}; d++) {`,
          `  norm_mean += ${row}[d];`,
          '}',
          `norm_mean /= f32(${valueDim});`,
          'var norm_correction = 0.0;',
          `for (var d = 0; d < ${valueDim}; d++) {`,
          `  norm_correction += ${row}[d] - norm_mean;`,
          '}',
          `norm_mean += norm_correction / f32(${valueDim});`,
        ]
      : ['let norm_mean = 0.0;'];
  // Squares of rows above 1 are taken of x / max|x| (no f32 overflow near 1e20 and beyond): then
  // (x/s) / √(mean((x/s)²) + ε/s²), the same value as x / √(mean(x²) + ε).
  return [
    ...mean,
    'var norm_scale = 0.0;',
    `for (var d = 0; d < ${valueDim}; d++) {`,
    `  norm_scale = max(norm_scale, abs(${row}[d] - norm_mean));`,
    '}',
    'let norm_divisor = select(1.0, norm_scale, norm_scale > 1.0);',
    'var norm_squares = 0.0;',
    `for (var d = 0; d < ${valueDim}; d++) {`,
    `  let centered = (${row}[d] - norm_mean) / norm_divisor;`,
    '  norm_squares += centered * centered;',
    '}',
    `let norm_denominator = norm_squares / f32(${valueDim}) + ${floatLiteral(normalizer.epsilon)} / norm_divisor / norm_divisor;`,
    'let norm_inverse = select(0.0, inverseSqrt(norm_denominator), norm_denominator > 0.0);',
    `for (var d = 0; d < ${valueDim}; d++) {`,
    `  ${row}[d] = (${row}[d] - norm_mean) / norm_divisor * norm_inverse;`,
    '}',
  ];
}

function floatLiteral(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
