import type { GroupedSoftmaxAttrs } from './grouped-softmax.js';
import type { KernelHookContext, NormalizerCode } from './kernel-hooks.js';

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
  normalizer: GroupedSoftmaxAttrs,
  context: KernelHookContext,
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
  const functions = context.functions;
  functions.add([
    '// The running softmax state of one previous block: max, sum and accumulator of its regular keys.',
    'struct Group {',
    '  block: i32,',
    '  max: f32,',
    '  sum: f32,',
    `  acc: array<f32, ${valueDim}>,`,
    '}',
  ]);
  const addToGroup = functions.define({
    name: 'add_to_group',
    comment:
      'Folds regular key j (score s) of block key_block into the group state, which restarts when a new\n' +
      'block begins; a larger score rescales the state by exp(old max − s).',
    params: [
      ['group', 'ptr<function, Group>'],
      ['key_block', 'i32'],
      ['s', 'f32'],
      ['j', 'i32'],
    ],
    body: [
      'if (key_block != (*group).block) {',
      '  (*group).block = key_block;',
      '  (*group).max = s;',
      '  (*group).sum = 0.0;',
      `  for (var d = 0; d < ${valueDim}; d++) {`,
      '    (*group).acc[d] = 0.0;',
      '  }',
      '}',
      'if (s > (*group).max) {',
      '  let correction = exp((*group).max - s);',
      '  (*group).sum *= correction;',
      `  for (var d = 0; d < ${valueDim}; d++) {`,
      '    (*group).acc[d] *= correction;',
      '  }',
      '  (*group).max = s;',
      '}',
      'let p = exp(s - (*group).max);',
      '(*group).sum += p;',
      ...context.accumulate('p', '(*group).acc'),
    ],
  });
  const addGroup = functions.define({
    name: 'add_group',
    comment:
      "At block key_block's landmark (score s): adds the group state with gate exp(s − log_top) / sum\n" +
      "(the reference's guard: a block whose sum is < 0.5, only an empty one, gives 0).",
    params: [
      ['acc', `ptr<function, array<f32, ${valueDim}>>`],
      ['group', 'ptr<function, Group>'],
      ['key_block', 'i32'],
      ['current_block', 'i32'],
      ['s', 'f32'],
      ['log_top', 'f32'],
    ],
    body: [
      'if (key_block < current_block && key_block == (*group).block && (*group).sum >= 0.5) {',
      '  let gate = exp(s - log_top) / (*group).sum;',
      `  for (var d = 0; d < ${valueDim}; d++) {`,
      '    (*acc)[d] += gate * (*group).acc[d];',
      '  }',
      '}',
    ],
  });
  return {
    setup: [
      'let query_position = q_i + nk - nq;',
      `let current_block = select(-1, query_position / ${period}, query_position >= 0);`,
      `var m_top = ${context.lowestF32};`,
      'var l_top = 0.0;',
      `var group = Group(-1, ${context.lowestF32}, 0.0, array<f32, ${valueDim}>());`,
    ],
    passes: [
      {
        before: [],
        withValues: false,
        tile: context.eachKeptKey([
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
        tile: context.eachKeptKey([
          ...classify,
          'if (landmark) {',
          `  ${addGroup({ acc: '&acc', group: '&group' })};`,
          '} else if (key_block == current_block) {',
          ...context.accumulate('exp(s - log_top)').map((line) => `  ${line}`),
          '} else {',
          `  ${addToGroup({ group: '&group' })};`,
          '}',
        ]),
        after: [],
      },
    ],
    finish: [],
    outputScale: '1.0',
  };
}
