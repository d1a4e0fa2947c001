// Normalizers defined outside Weft's packages, with its public API only:
// - ReLU attention, weights relu(s)/Nk, as one weight Expr (`rowLocalNormalizer`);
// - a numerically stable softmax written hook by hook (`defineNormalizer`): float64 reference,
//   decomposition into IR ops, the tiled kernel's online max/sum and the split-keys merge.
import { ATTENTION_INDICES, defineNormalizer, rowLocalNormalizer } from '@weft/attention';
import { add, constant, div, equal, exp, log, max, sub, sum, where } from '@weft/ir';

/** ReLU attention: relu(s) / Nk, Nk the keys of the call (scaled once per row, at the store). */
export const reluAttention = defineNormalizer(
  rowLocalNormalizer({
    name: 'user.reluOverKeys',
    weight: (score) => score.max(0),
    scale: () => constant(1).div(ATTENTION_INDICES.keyLength.cast('f32')),
  }),
);

/** A user's softmax: exp(s − m)/Σ exp(s − m) over the kept keys, m the row max; an empty row gives 0. */
export const userSoftmax = defineNormalizer<undefined, { readonly name: 'user.softmax' }>({
  name: 'user.softmax',
  attrs: () => ({ name: 'user.softmax' }),
  logSumExp: true,
  reference(_, scores) {
    if (scores.length === 0) return { weights: [], logSumExp: -Infinity };
    const m = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - m));
    const total = exps.reduce((sum, e) => sum + e, 0);
    return { weights: exps.map((e) => e / total), logSumExp: m + Math.log(total) };
  },
  decompose(_, { score, kept }) {
    const rowMax = max(kept(score, -Infinity), -1, { keepDims: true });
    // A row with no kept key has max −∞: any finite reference point gives its zero weights.
    const safeMax = where(equal(rowMax, -Infinity), 0, rowMax);
    const exps = kept(exp(sub(score, safeMax)), 0);
    const total = sum(exps, -1, { keepDims: true });
    return {
      probabilities: div(exps, where(equal(total, 0), 1, total)),
      logSumExp: add(safeMax, log(total)),
    };
  },
  // Online: a tile's larger max rescales the running sum and accumulator (the context's step).
  kernel: (_, c) => ({
    setup: [`var m_run = ${c.lowestF32};`, 'var l_run = 0.0;'],
    passes: [
      {
        before: [],
        withValues: true,
        tile: c.onlineSoftmaxTile(
          ['l_run'],
          ['let p = exp(s - m_run);', 'l_run += p;', ...c.accumulate('p')],
        ),
        after: [],
      },
    ],
    finish: [],
    outputScale: 'select(0.0, 1.0 / l_run, l_run > 0.0)',
    logSumExp: 'select(-weft_inf(), m_run + log(l_run), l_run > 0.0)',
  }),
  // Each chunk keeps (max, sum, accumulator); chunks merge by rescaling to the largest max.
  splitKeys: {
    code: (_, c) => ({
      setup: [],
      perKey: [
        ...c.onlineSoftmaxKey(['l_run']),
        'let p = exp(s - m_run);',
        'l_run += p;',
        ...c.accumulate('p'),
      ],
      rescales: true,
      mergeMax: [],
      mergeInitial: '0.0',
      outputScale: 'select(0.0, 1.0 / merged_l, merged_l > 0.0)',
      logSumExp: 'select(-weft_inf(), merged_max + log(merged_l), merged_l > 0.0)',
    }),
  },
});
