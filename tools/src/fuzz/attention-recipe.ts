// The attention fuzz recipe: an attention case as data, and how one is drawn from a seed.
import type { CausalAlignment } from '@weft/attention';
import { BUDGETS, type CaseRecipe } from './fuzz-case.js';
import { Prng } from './prng.js';
/** A mask as data. */
export type MaskRecipe =
  | { readonly kind: 'causal'; readonly align: CausalAlignment }
  | { readonly kind: 'slidingWindow'; readonly window: number; readonly align: CausalAlignment }
  | { readonly kind: 'chunked'; readonly size: number }
  | { readonly kind: 'prefixLM'; readonly prefix: number }
  | { readonly kind: 'blockCausal'; readonly size: number }
  | { readonly kind: 'stridedSparse'; readonly stride: number }
  | { readonly kind: 'fixedSparse'; readonly stride: number; readonly summary: number }
  | { readonly kind: 'document' }
  | { readonly kind: 'keyPadding' }
  | { readonly kind: 'customModulo'; readonly modulus: number }
  | { readonly kind: 'and' | 'or'; readonly masks: readonly MaskRecipe[] }
  | { readonly kind: 'not'; readonly mask: MaskRecipe };

/** An attention case as data (the `spec` of its {@link CaseRecipe}). */
export interface AttentionRecipe {
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly valueHeads: number | null;
  readonly queries: number;
  readonly keys: number;
  readonly headDim: number;
  readonly valueDim: number;
  readonly positions:
    | { readonly kind: 'nope' }
    | { readonly kind: 'alibi'; readonly slopes: boolean }
    | {
        readonly kind: 'rope';
        readonly dims: 1 | 2;
        readonly fraction: number;
        readonly layout: 'half' | 'interleaved';
        readonly base: number;
        readonly grid: readonly [number, number] | null;
      };
  readonly qkNorm: {
    readonly kind: 'l2' | 'rms' | 'layer';
    readonly scale: 'none' | 'scalar' | 'vector';
  } | null;
  readonly score: readonly (
    | { readonly kind: 'scale'; readonly value: number }
    | { readonly kind: 'temperature' }
    | { readonly kind: 'softcap'; readonly cap: number }
    | { readonly kind: 'keyBias' }
    | { readonly kind: 'distancePenalty'; readonly weight: number }
  )[];
  readonly mask: MaskRecipe | null;
  readonly normalizer:
    | { readonly kind: 'softmax' }
    | { readonly kind: 'sink'; readonly sink: 'tensor' | number }
    | { readonly kind: 'sigmoid'; readonly bias: number | null }
    | { readonly kind: 'reluSquared' }
    | { readonly kind: 'reluNormalized' }
    | {
        readonly kind: 'softplusNormalized';
        readonly lengthScale: 'none' | 'log';
        readonly reweight: boolean;
      }
    | { readonly kind: 'polynomialNormalized'; readonly degree: 1 | 2 }
    | { readonly kind: 'topTheta'; readonly compensation: 'none' | 'denominator' | 'valueMean' }
    | { readonly kind: 'entmax'; readonly alpha: number | 'tensor' }
    | { readonly kind: 'sparsemax' }
    | { readonly kind: 'nap' }
    | { readonly kind: 'identity'; readonly outputNorm: 'rms' | 'layer' | 'none' }
    | { readonly kind: 'groupedSoftmax'; readonly blockSize: number }
    | { readonly kind: 'pLaplacian'; readonly p: number; readonly mu: number };
  readonly logSumExp: boolean;
}

const LENGTHS = [1, 2, 3, 5, 8, 17, 31, 32, 33, 37, 47, 64, 65, 70];

/** Draws an attention recipe from `seed`. */
export function attentionRecipe(seed: number): CaseRecipe {
  const r = new Prng(seed);
  const heads = r.pick([1, 2, 4, 4, 6]);
  const divisors = [1, 2, 3, 4, 6].filter((d) => heads % d === 0);
  const kvHeads = r.weighted<number>([
    [2, heads],
    [1, 1],
    [2, r.pick(divisors)],
  ]);
  const valueHeads = r.chance(0.1) ? r.pick(divisors) : null;
  const normalizer = drawNormalizer(r);
  const positionKind = r.weighted<'nope' | 'rope1' | 'rope2' | 'alibi'>([
    [3, 'nope'],
    [3, 'rope1'],
    [1, 'rope2'],
    [2, 'alibi'],
  ]);
  let queries: number;
  let keys: number;
  let grid: [number, number] | null = null;
  if (positionKind === 'rope2') {
    grid = [r.int(1, 6), r.int(1, 9)];
    keys = grid[0] * grid[1];
    queries = r.chance(0.7) ? keys : r.pick([1, Math.max(1, keys - 3)]);
  } else {
    const shape = r.weighted<'self' | 'decode' | 'cross'>([
      [5, 'self'],
      [2, 'decode'],
      [2, 'cross'],
    ]);
    keys = r.pick(LENGTHS);
    queries = shape === 'self' ? keys : shape === 'decode' ? 1 : r.pick(LENGTHS);
  }
  const headDim = positionKind === 'rope2' ? r.pick([8, 16]) : r.pick([4, 8, 12, 16]);
  const valueDim = r.chance(0.7) ? headDim : r.pick([4, 6, 8, 12]);
  const positions: AttentionRecipe['positions'] =
    positionKind === 'nope'
      ? { kind: 'nope' }
      : positionKind === 'alibi'
        ? { kind: 'alibi', slopes: r.chance(0.5) }
        : {
            kind: 'rope',
            dims: positionKind === 'rope2' ? 2 : 1,
            fraction: positionKind === 'rope2' ? 1 : r.pick([1, 1, 0.5]),
            layout: r.pick(['half', 'interleaved'] as const),
            base: r.pick([10_000, 10_000, 500_000, 100]),
            grid,
          };
  const qkNormRecipe = r.chance(0.15)
    ? { kind: r.pick(['l2', 'rms', 'layer'] as const), scale: r.pick(['none', 'scalar', 'vector'] as const) }
    : null;
  const score: AttentionRecipe['score'][number][] = [];
  const needsUnitScale = normalizer.kind === 'nap' || normalizer.kind === 'identity';
  if (needsUnitScale) score.push({ kind: 'scale', value: 1 / Math.sqrt(headDim) });
  else if (normalizer.kind === 'polynomialNormalized') score.push({ kind: 'scale', value: 0.05 });
  else if (r.chance(0.2)) score.push({ kind: 'scale', value: r.pick([0.1, 0.5, 2]) });
  if (r.chance(0.2)) score.push({ kind: 'temperature' });
  if (r.chance(0.25)) score.push({ kind: 'softcap', cap: r.pick([0.5, 2, 30]) });
  if (r.chance(0.2)) score.push({ kind: 'keyBias' });
  if (r.chance(0.1)) score.push({ kind: 'distancePenalty', weight: r.pick([0.01, 0.1]) });
  const mask = r.chance(0.25) ? null : drawMask(r, 0, queries, keys);
  const logSumExp = (normalizer.kind === 'softmax' || normalizer.kind === 'sink') && r.chance(0.3);
  const recipe: AttentionRecipe = {
    batch: r.pick([1, 1, 2]),
    heads,
    kvHeads,
    valueHeads,
    queries,
    keys,
    headDim,
    valueDim,
    positions,
    qkNorm: qkNormRecipe,
    score,
    mask,
    normalizer,
    logSumExp,
  };
  const isRope = positions.kind === 'rope';
  const tags = [
    `normalizer:${normalizer.kind}`,
    `positions:${positions.kind}${positions.kind === 'rope' ? positions.dims : ''}`,
    ...(mask === null ? [] : maskTags(mask)),
    ...score.map((mod) => `score:${mod.kind}`),
    ...(qkNormRecipe === null ? [] : ['qkNorm']),
    ...(logSumExp ? ['logSumExp'] : []),
    queries === 1 ? 'decode' : queries === keys ? 'self' : 'cross',
  ];
  return {
    kind: 'attention',
    seed,
    family: `${familyOf(normalizer)}${isRope ? '+rope' : ''}`,
    budget: isRope ? BUDGETS.rope : BUDGETS.default,
    tags,
    spec: recipe as unknown as Record<string, unknown>,
  };
}

function familyOf(normalizer: AttentionRecipe['normalizer']): string {
  switch (normalizer.kind) {
    case 'reluSquared':
    case 'reluNormalized':
    case 'softplusNormalized':
    case 'polynomialNormalized':
      return 'l1-map';
    case 'entmax':
    case 'sparsemax':
      return 'entmax';
    default:
      return normalizer.kind;
  }
}

function maskTags(mask: MaskRecipe): string[] {
  if (mask.kind === 'and' || mask.kind === 'or')
    return [`mask:${mask.kind}`, ...mask.masks.flatMap(maskTags)];
  if (mask.kind === 'not') return ['mask:not', ...maskTags(mask.mask)];
  return [`mask:${mask.kind}`];
}

function drawNormalizer(r: Prng): AttentionRecipe['normalizer'] {
  return r.weighted<() => AttentionRecipe['normalizer']>([
    [5, () => ({ kind: 'softmax' })],
    [3, () => ({ kind: 'sink', sink: r.chance(0.7) ? 'tensor' : 0 })],
    [2, () => ({ kind: 'sigmoid', bias: r.chance(0.5) ? null : r.pick([-1, 0, -3]) })],
    [1, () => ({ kind: 'reluSquared' })],
    [1, () => ({ kind: 'reluNormalized' })],
    [
      2,
      () => ({
        kind: 'softplusNormalized',
        lengthScale: r.pick(['none', 'log'] as const),
        reweight: r.chance(0.4),
      }),
    ],
    [1, () => ({ kind: 'polynomialNormalized', degree: r.pick([1, 2] as const) })],
    [1, () => ({ kind: 'topTheta', compensation: r.pick(['none', 'denominator', 'valueMean'] as const) })],
    [2, () => ({ kind: 'entmax', alpha: r.chance(0.5) ? 'tensor' : r.pick([1.25, 1.5, 2]) })],
    [1, () => ({ kind: 'sparsemax' })],
    [1, () => ({ kind: 'nap' })],
    [1, () => ({ kind: 'identity', outputNorm: r.pick(['rms', 'layer', 'none'] as const) })],
    [1, () => ({ kind: 'groupedSoftmax', blockSize: r.pick([2, 3, 7]) })],
    [1, () => ({ kind: 'pLaplacian', p: r.pick([1.5, 2, 3]), mu: r.pick([0, 0.5]) })],
  ])();
}

function drawMask(r: Prng, depth: number, queries: number, keys: number): MaskRecipe {
  const n = Math.max(queries, keys);
  const align = (): CausalAlignment => (r.chance(0.8) ? 'bottom-right' : 'top-left');
  const size = () => r.pick([1, 2, 3, 5, 8, 16, 32, 33, Math.max(1, n - 1)]);
  const leaves: [number, () => MaskRecipe][] = [
    [5, () => ({ kind: 'causal', align: align() })],
    [3, () => ({ kind: 'slidingWindow', window: size(), align: align() })],
    [2, () => ({ kind: 'chunked', size: size() })],
    [2, () => ({ kind: 'prefixLM', prefix: r.int(0, n) })],
    [1, () => ({ kind: 'blockCausal', size: size() })],
    [1, () => ({ kind: 'stridedSparse', stride: r.pick([2, 3, 4]) })],
    [1, () => ({ kind: 'fixedSparse', stride: r.pick([4, 8]), summary: r.pick([1, 2]) })],
    [2, () => ({ kind: 'document' })],
    [2, () => ({ kind: 'keyPadding' })],
    [1, () => ({ kind: 'customModulo', modulus: r.pick([2, 3]) })],
  ];
  const combinators: [number, () => MaskRecipe][] =
    depth >= 2
      ? []
      : [
          [
            2,
            () => ({
              kind: 'and',
              masks: [drawMask(r, depth + 1, queries, keys), drawMask(r, depth + 1, queries, keys)],
            }),
          ],
          [
            1,
            () => ({
              kind: 'or',
              masks: [drawMask(r, depth + 1, queries, keys), drawMask(r, depth + 1, queries, keys)],
            }),
          ],
          [0.5, () => ({ kind: 'not', mask: drawMask(r, depth + 1, queries, keys) })],
        ];
  return r.weighted([...leaves, ...combinators])();
}
