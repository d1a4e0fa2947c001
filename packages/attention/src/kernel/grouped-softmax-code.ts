import type { NormalizerAttrs } from '../op/attention-attrs.js';
import type { NormalizerCode, NormalizerContext } from './normalizer-code.js';
import { eachKeptKey, LOWEST_F32 } from './online-tile-code.js';
import { accumulateValueTile } from './value-tile-code.js';

/**
 * The WGSL of Landmark Attention's grouped softmax in the fused kernel, two passes over the keys
 * in order, no N×N buffer and no assumption on how blocks meet key tiles:
 * 1. online log-sum-exp `log_top` over the top-level set (landmarks of previous blocks, regular
 *    keys of the query's block up to the query);
 * 2. regular keys of the query's block add exp(s − log_top)·v; regular keys of a previous block
 *    fold into one running block state (max, sum, accumulator), reset when a new block starts;
 *    at that block's landmark the state is added with gate exp(s_landmark − log_top) / sum. A
 *    block whose landmark is masked never adds (weight 0), and landmarks add no value row.
 */
export function groupedSoftmaxCode(
  normalizer: Extract<NormalizerAttrs, { name: 'groupedSoftmax' }>,
  context: NormalizerContext,
): NormalizerCode {
  const period = normalizer.blockSize + 1;
  const valueDim = context.valueDim;
  const classify = [
    'let key_position = tile.k0 + j;',
    // The normalizer is causal by itself: keys after the query's position weigh 0.
    'if (key_position > query_position) {',
    '  continue;',
    '}',
    `let key_block = key_position / ${period};`,
    `let landmark = (key_position + 1) % ${period} == 0;`,
  ];
  return {
    setup: [
      'let query_position = q_i + nk - nq;',
      `let current_block = select(-1, query_position / ${period}, query_position >= 0);`,
      `var m_top = ${LOWEST_F32};`,
      'var l_top = 0.0;',
      'var group_block = -1;',
      `var group_max = ${LOWEST_F32};`,
      'var group_sum = 0.0;',
      `var group_acc: array<f32, ${valueDim}>;`,
    ],
    passes: [
      {
        before: [],
        withValues: false,
        tile: eachKeptKey([
          ...classify,
          'if (select(key_block == current_block, key_block < current_block, landmark)) {',
          '  if (s > m_top) {',
          '    l_top *= exp(m_top - s);',
          '    m_top = s;',
          '  }',
          '  l_top += exp(s - m_top);',
          '}',
        ]),
        after: ['let log_top = select(0.0, m_top + log(l_top), l_top > 0.0);'],
      },
      {
        before: [],
        withValues: true,
        tile: eachKeptKey([
          ...classify,
          'if (landmark) {',
          // The reference's guard: a block whose sum is < 0.5 (only an empty one) gives 0.
          '  if (key_block < current_block && key_block == group_block && group_sum >= 0.5) {',
          '    let gate = exp(s - log_top) / group_sum;',
          `    for (var d = 0; d < ${valueDim}; d++) {`,
          '      acc[d] += gate * group_acc[d];',
          '    }',
          '  }',
          '  continue;',
          '}',
          'if (key_block == current_block) {',
          ...accumulateValueTile('exp(s - log_top)', valueDim).map((line) => `  ${line}`),
          '  continue;',
          '}',
          'if (key_block != group_block) {',
          '  group_block = key_block;',
          '  group_max = s;',
          '  group_sum = 0.0;',
          `  for (var d = 0; d < ${valueDim}; d++) {`,
          '    group_acc[d] = 0.0;',
          '  }',
          '}',
          'if (s > group_max) {',
          '  let correction = exp(group_max - s);',
          '  group_sum *= correction;',
          `  for (var d = 0; d < ${valueDim}; d++) {`,
          '    group_acc[d] *= correction;',
          '  }',
          '  group_max = s;',
          '}',
          'let p = exp(s - group_max);',
          'group_sum += p;',
          ...accumulateValueTile('p', valueDim, 'group_acc'),
        ]),
        after: [],
      },
    ],
    finish: [],
    outputScale: '1.0',
  };
}
