import type { SplitHookContext, SplitNormalizerCode } from './kernel-hooks.js';
import type { PLaplacianAttrs } from './p-laplacian-attrs.js';
import { pLaplacianFinish, pLaplacianKeyCode, pLaplacianParameters } from './p-laplacian-kernel.js';

/**
 * The p-Laplacian normalizer in the split-keys kernel. Each chunk keeps softmax's (m, l, acc) and
 * w = Σ e^{s−m}·g_j; all three sums rescale by e^{m_c − M} at the merge, exactly like softmax's,
 * and the merged l and w give α and the feature term. `context.loadValue(d)` loads value dim `d` of `key_i`;
 * each value row is loaded once into registers for both the distance and the accumulation.
 */
export function pLaplacianSplitCode(
  normalizer: PLaplacianAttrs,
  context: SplitHookContext,
): SplitNormalizerCode {
  const valueDim = context.valueDim;
  const vectors = Math.ceil(valueDim / 4);
  const valueVector = (vector: number) =>
    `vec4<f32>(${Array.from({ length: 4 }, (_, lane) => (4 * vector + lane < valueDim ? `value_row[${4 * vector + lane}]` : '0.0')).join(', ')})`;
  const distance = [
    'var squared_distance = 0.0;',
    ...Array.from({ length: vectors }, (_, vector) => [
      `let difference_${vector} = ${valueVector(vector)} - feature_vec_${vector};`,
      `squared_distance += dot(difference_${vector}, difference_${vector});`,
    ]).flat(),
  ];
  const accumulate = (weight: string) => [
    `for (var d = 0; d < ${valueDim}; d++) {`,
    `  acc[d] += ${weight} * value_row[d];`,
    '}',
  ];
  return {
    setup: [
      ...pLaplacianParameters(normalizer, context),
      'var w_run = 0.0;',
      `var feature_row: array<f32, ${valueDim}>;`,
      ...Array.from({ length: valueDim }, (_, d) => `feature_row[${d}] = feature_vec_${d >> 2}[${d & 3}];`),
    ],
    perKey: [
      ...context.onlineSoftmaxKey(['l_run', 'w_run']),
      `var value_row: array<f32, ${valueDim}>;`,
      `for (var d = 0; d < ${valueDim}; d++) {`,
      `  value_row[d] = ${context.loadValue('d')};`,
      '}',
      ...pLaplacianKeyCode(normalizer, accumulate, distance),
    ],
    rescales: true,
    mergeMax: [],
    mergeInitial: '0.0',
    outputScale: '1.0',
    weightedSum: true,
    outputFinish: pLaplacianFinish(normalizer, 'merged_l', 'merged_w'),
    outputValue: (total, d) => `${total} * key_scale + self_weight * feature_row[${d}]`,
  };
}
