import type { NormalizerAttrs } from '../op/attention-attrs.js';

/**
 * WGSL that normalizes the f32 array `row` (`valueDim` entries) in place with the output norm of an
 * `identity` normalizer: `rms` x·rsqrt(mean(x²) + ε), `layer` (x − μ)·rsqrt(var(x) + ε). A zero
 * denominator gives 0, never NaN. Empty for other normalizers and for `none`. The invocation owns the
 * whole row, so this runs as an epilogue right before the store.
 */
export function outputNormCode(normalizer: NormalizerAttrs, valueDim: number, row: string): string[] {
  if (normalizer.name !== 'identity' || normalizer.outputNorm === 'none') return [];
  const mean =
    normalizer.outputNorm === 'layer'
      ? [
          'var norm_mean = 0.0;',
          `for (var d = 0; d < ${valueDim}; d++) {`,
          `  norm_mean += ${row}[d];`,
          '}',
          `norm_mean /= f32(${valueDim});`,
        ]
      : ['let norm_mean = 0.0;'];
  return [
    ...mean,
    'var norm_squares = 0.0;',
    `for (var d = 0; d < ${valueDim}; d++) {`,
    `  let centered = ${row}[d] - norm_mean;`,
    '  norm_squares += centered * centered;',
    '}',
    `let norm_denominator = norm_squares / f32(${valueDim}) + ${floatLiteral(normalizer.epsilon)};`,
    'let norm_inverse = select(0.0, inverseSqrt(norm_denominator), norm_denominator > 0.0);',
    `for (var d = 0; d < ${valueDim}; d++) {`,
    `  ${row}[d] = (${row}[d] - norm_mean) * norm_inverse;`,
    '}',
  ];
}

function floatLiteral(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
