import { UnsupportedError } from '@weft/ir';
import type { NormalizerAttrs } from '../op/attention-attrs.js';
import { mapCode } from './l1-normalizer-code.js';
import type { NormalizerContext } from './normalizer-code.js';
import { onlineSoftmaxKey } from './online-tile-code.js';
import { outputNormCode } from './output-norm-code.js';
import { pLaplacianSplitCode } from './p-laplacian-split-code.js';

/** The WGSL of one normalizer in the split-keys (flash decoding) kernel. */
export interface SplitNormalizerCode {
  /** Per-invocation state and parameters (`m_run`, `l_run` and the `acc` array exist already). */
  readonly setup: readonly string[];
  /** Folds one kept key into the state; in scope: `s` and `value_at(d)`-style loads via `loadValue`. */
  readonly perKey: readonly string[];
  /** Whether partials carry a running max (log-sum-exp merge) rather than adding. */
  readonly rescales: boolean;
  /** Statements after the partials' max `merged_max` is found (a sink joins the max here). */
  readonly mergeMax: readonly string[];
  /** WGSL f32 start of the merged denominator `merged_l` (a sink's term, else 0). */
  readonly mergeInitial: string;
  /** WGSL f32 factor each merged accumulator entry is multiplied by. */
  readonly outputScale: string;
  /** WGSL f32 row log-sum-exp (softmax only; uses the `weft_inf` helper). */
  readonly logSumExp?: string;
  /** Statements normalizing the merged row `merged_row` in place (identity's output norm), if any. */
  readonly outputNorm?: readonly string[];
  /** Whether the state has a second rescaled sum `w_run`, merged like `l_run` into `merged_w`. */
  readonly weightedSum?: boolean;
  /** Statements after the merge, before the store (in scope: `merged_l`, `merged_w`). */
  readonly outputFinish?: readonly string[];
  /** WGSL f32 stored for value dim `d` from its merged accumulator `total` (default total × outputScale). */
  readonly outputValue?: (total: string, d: string) => string;
}

/**
 * The split-keys code of `normalizer`. `loadValue(d)` is the WGSL load of value dim `d` of key
 * `key_i`. Throws for normalizers that need row statistics before accumulating.
 */
export function splitNormalizerCode(
  normalizer: NormalizerAttrs,
  context: NormalizerContext,
  loadValue: (d: string) => string,
): SplitNormalizerCode {
  const accumulate = (weight: string) => [
    `for (var d = 0; d < ${context.valueDim}; d++) {`,
    `  acc[d] += ${weight} * ${loadValue('d')};`,
    '}',
  ];
  const parameter = (expr: Parameters<NormalizerContext['render']>[0][number], name: string) => {
    const rendered = context.render([expr], `${name}_`);
    return [...rendered.lines, `let ${name} = ${rendered.values[0]};`];
  };
  switch (normalizer.name) {
    case 'softmax':
      return {
        setup: normalizer.sink === null ? [] : parameter(normalizer.sink, 'sink'),
        perKey: [
          ...onlineSoftmaxKey(['l_run'], context.valueDim),
          'let p = exp(s - m_run);',
          'l_run += p;',
          ...accumulate('p'),
        ],
        rescales: true,
        // The sink is one extra logit of the whole row: it joins once, at the merge.
        mergeMax:
          normalizer.sink === null
            ? []
            : ['let keys_kept = merged_max > -3.0e38;', 'merged_max = max(merged_max, sink);'],
        mergeInitial: normalizer.sink === null ? '0.0' : 'exp(sink - merged_max)',
        outputScale: 'select(0.0, 1.0 / merged_l, merged_l > 0.0)',
        // −∞ for a row without kept keys, also with a sink.
        logSumExp:
          normalizer.sink === null
            ? 'select(-weft_inf(), merged_max + log(merged_l), merged_l > 0.0)'
            : 'select(-weft_inf(), merged_max + log(merged_l), keys_kept)',
      };
    case 'sigmoid':
      return {
        setup: parameter(normalizer.bias, 'bias'),
        perKey: [
          'let x = s + bias;',
          'let e = exp(-abs(x));',
          'let w = select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);',
          ...accumulate('w'),
        ],
        rescales: false,
        mergeMax: [],
        mergeInitial: '0.0',
        outputScale: '1.0',
      };
    case 'reluSquared':
      return {
        setup: [],
        perKey: ['let r = max(s, 0.0);', ...accumulate('r * r')],
        rescales: false,
        mergeMax: [],
        mergeInitial: '0.0',
        outputScale: '(1.0 / f32(nk))',
      };
    case 'l1': {
      if (normalizer.lengthBase !== undefined || normalizer.reweight !== undefined)
        throw new UnsupportedError('attention: the split-keys kernel needs the kept-key count first', {
          expected: 'an l1 normalizer without length scale or re-weighting',
          actual: normalizer.map,
        });
      const map = mapCode(normalizer.map, 's');
      return {
        setup: [],
        perKey: [`let w = ${map};`, 'l_run += w;', ...accumulate('w')],
        rescales: false,
        mergeMax: [],
        mergeInitial: '0.0',
        outputScale: 'select(0.0, 1.0 / merged_l, merged_l > 0.0)',
      };
    }
    case 'topTheta': {
      if (normalizer.compensation === 'valueMean')
        throw new UnsupportedError('attention: the split-keys kernel does not merge Top-θ value means', {
          expected: "compensation 'none' or 'denominator'",
          actual: normalizer.compensation,
        });
      // l_run is the denominator of the policy (kept or all visible keys); acc holds kept keys only,
      // so the partials merge like softmax's.
      const denominator = normalizer.compensation === 'none' ? ['  l_run += p;'] : [];
      return {
        setup: parameter(normalizer.threshold, 'theta'),
        perKey: [
          ...onlineSoftmaxKey(['l_run'], context.valueDim),
          'let p = exp(s - m_run);',
          ...(normalizer.compensation === 'denominator' ? ['l_run += p;'] : []),
          'if (s >= theta) {',
          ...denominator,
          ...accumulate('p').map((line) => `  ${line}`),
          '}',
        ],
        rescales: true,
        mergeMax: [],
        mergeInitial: '0.0',
        outputScale: 'select(0.0, 1.0 / merged_l, merged_l > 0.0)',
      };
    }
    case 'pLaplacian':
      return pLaplacianSplitCode(normalizer, context, loadValue);
    case 'identity':
      // Partial sums add; the norm needs the whole merged row, so it runs after the merge.
      return {
        setup: [],
        perKey: accumulate('s'),
        rescales: false,
        mergeMax: [],
        mergeInitial: '0.0',
        outputScale: '1.0',
        outputNorm: outputNormCode(normalizer, context.valueDim, 'merged_row'),
      };
    default:
      throw new UnsupportedError('attention: the split-keys kernel does not support this normalizer', {
        expected: 'softmax, sigmoid, reluSquared, l1 or identity',
        actual: normalizer.name,
      });
  }
}
