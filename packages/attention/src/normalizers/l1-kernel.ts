import type { KernelHookContext, KeyPass, NormalizerCode } from './kernel-hooks.js';
import type { L1Attrs } from './l1.js';
import { floatLiteral } from './wgsl-literal.js';

/**
 * The WGSL of an l1 normalizer in the fused kernel: f(c·s)/Σ f(c·s) in one pass; with LSSA's length
 * scale (or the `reluPower` re-weighting) a first pass counts the kept keys N (c = log_b N); with
 * LSSAR's re-weighting a pass computes the row sum Z before the output pass accumulates g(f/Z, N).
 */
export function l1NormalizerCode(normalizer: L1Attrs, context: KernelHookContext): NormalizerCode {
  const reweight = normalizer.reweight;
  const needsCount = normalizer.lengthBase !== undefined || reweight?.form === 'reluPower';
  const x = normalizer.lengthBase === undefined ? 's' : '(length_scale * s)';
  const weight = `let w = ${mapCode(normalizer.map, x)};`;
  const countPass: KeyPass = {
    before: [],
    withValues: false,
    tile: ['kept_count += f32(countOneBits(kept));'],
    after:
      normalizer.lengthBase === undefined
        ? []
        : [
            `let length_scale = log(max(kept_count, 1.0)) * ${floatLiteral(1 / Math.log(normalizer.lengthBase))};`,
          ],
  };
  const setup = ['var l_run = 0.0;', ...(needsCount ? ['var kept_count = 0.0;'] : [])];
  if (reweight === undefined) {
    return {
      setup,
      passes: [
        ...(needsCount ? [countPass] : []),
        {
          before: [],
          withValues: true,
          tile: context.eachKeptKey([weight, 'l_run += w;', ...context.accumulate('w')]),
          after: [],
        },
      ],
      finish: [],
      outputScale: 'select(0.0, 1.0 / l_run, l_run > 0.0)',
    };
  }
  // g is scaled by N^−p (reluPower: (A − 1/N)^p rather than (N·A − 1)^p) so it stays ≤ 1 in f32;
  // the constant factor cancels in the renormalization.
  const sharpened =
    reweight.form === 'power' ? 'w * inverse_total' : 'w * inverse_total - 1.0 / max(kept_count, 1.0)';
  return {
    setup: [...setup, 'var g_run = 0.0;'],
    passes: [
      ...(needsCount ? [countPass] : []),
      {
        before: [],
        withValues: false,
        tile: context.eachKeptKey([weight, 'l_run += w;']),
        after: ['let inverse_total = select(0.0, 1.0 / l_run, l_run > 0.0);'],
      },
      {
        before: [],
        withValues: true,
        tile: context.eachKeptKey([
          weight,
          `let a = ${sharpened};`,
          `let g = select(0.0, pow(a, ${floatLiteral(reweight.power)}), a > 0.0);`,
          'g_run += g;',
          ...context.accumulate('g'),
        ]),
        after: [],
      },
    ],
    finish: [],
    outputScale: 'select(0.0, 1.0 / g_run, g_run > 0.0)',
  };
}

/** WGSL of the map f at `x`. */
export function mapCode(map: L1Attrs['map'], x: string): string {
  switch (map) {
    case 'relu':
      return `max(${x}, 0.0)`;
    case 'softplus': {
      // max(x, 0) + log1p(e), e = exp(−|x|): below e = 0.1 log1p's series to e⁸ (relative error
      // e⁹/9 < 1.2e-10), as log(1 + e) loses e below f32 spacing (softplus(−17) = 0).
      const e = `exp(-abs(${x}))`;
      const series = [
        0.5, 0.3333333333333333, 0.25, 0.2, 0.16666666666666666, 0.14285714285714285,
      ].reduceRight(
        (inner, coefficient) => `(${coefficient} - ${e} * ${inner})`,
        `(0.125 - ${e} * 0.1111111111111111)`,
      );
      return `(max(${x}, 0.0) + select(log(1.0 + ${e}), ${e} * (1.0 - ${e} * ${series}), abs(${x}) > 2.31))`;
    }
    case 'polynomial1':
      return `1.0 + ${x}`;
    case 'polynomial2':
      // 2^−101·(1 + x + x²/2) = ((x + 1)·2^−51)² + 2^−102: every use divides by Σ w, so the factor
      // cancels, and x² no longer overflows f32 beyond |x| ≈ 2.6e19 (now ≈ 4e34).
      return `((${x} + 1.0) * 4.440892098500626e-16 * ((${x} + 1.0) * 4.440892098500626e-16) + 1.9721522630525295e-31)`;
  }
}
