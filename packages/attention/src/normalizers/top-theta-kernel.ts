import type { KernelHookContext, NormalizerCode } from './kernel-hooks.js';
import type { TopThetaAttrs } from './top-theta.js';

/**
 * The WGSL of Top-θ in the fused kernel, one online pass: the running max m over the visible
 * scores rescales the full sum `l_all`, the kept sum `l_kept` and the kept accumulator; keys with
 * s ≥ θ add to `l_kept` and `acc`; VMC also sums the visible value rows and counts them. Without
 * VMC (and unless `loadAll`, or `auto` on a software adapter) a V tile is loaded only when a row of
 * the workgroup keeps one of its keys (`valuesWhen`).
 */
export function topThetaCode(normalizer: TopThetaAttrs, context: KernelHookContext): NormalizerCode {
  const valueMean = normalizer.compensation === 'valueMean';
  // `auto` skips on hardware only: on a software adapter the per-tile vote costs more than the copy.
  const skipValues =
    !valueMean &&
    (normalizer.valueTiles === 'skipPruned' || (normalizer.valueTiles === undefined && !context.software));
  const threshold = context.render([normalizer.threshold], 'theta_');
  return {
    setup: [
      ...threshold.lines,
      `let theta = ${threshold.values[0]};`,
      `var m_run = ${context.lowestF32};`,
      'var l_all = 0.0;',
      'var l_kept = 0.0;',
      ...(valueMean ? [`var value_sum: array<f32, ${context.valueDim}>;`, 'var visible_count = 0.0;'] : []),
    ],
    passes: [
      {
        before: [],
        withValues: true,
        // Only kept keys (s ≥ θ) read a value row, unless v̄ needs them all.
        ...(skipValues ? { valuesWhen: 's >= theta' } : {}),
        tile: context.onlineSoftmaxTile(
          ['l_all', 'l_kept'],
          [
            'let p = exp(s - m_run);',
            'l_all += p;',
            ...(valueMean ? ['visible_count += 1.0;', ...context.accumulate('1.0', 'value_sum')] : []),
            'if (s >= theta) {',
            '  l_kept += p;',
            ...context.accumulate('p').map((line) => `  ${line}`),
            '}',
          ],
        ),
        after: [],
      },
    ],
    finish: valueMean
      ? [
          'let inverse_all = select(0.0, 1.0 / l_all, l_all > 0.0);',
          'let missing = select(0.0, (1.0 - l_kept * inverse_all) / visible_count, visible_count > 0.0);',
          `for (var d = 0; d < ${context.valueDim}; d++) {`,
          '  acc[d] = acc[d] * inverse_all + missing * value_sum[d];',
          '}',
        ]
      : [],
    outputScale:
      normalizer.compensation === 'none'
        ? 'select(0.0, 1.0 / l_kept, l_kept > 0.0)'
        : normalizer.compensation === 'denominator'
          ? 'select(0.0, 1.0 / l_all, l_all > 0.0)'
          : '1.0',
  };
}
