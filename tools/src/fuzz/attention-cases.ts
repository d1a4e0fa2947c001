import {
  alibi,
  and,
  applyAttention,
  attention,
  blockCausal,
  type CausalAlignment,
  causal,
  chunked,
  customMask,
  documentMask,
  entmax,
  fixedSparse,
  groupedSoftmax,
  identity,
  keyBias,
  keyPadding,
  type Mask,
  type Normalizer,
  nap,
  not,
  or,
  type Position,
  pLaplacian,
  polynomialNormalized,
  prefixLM,
  qkNorm,
  reluNormalized,
  reluSquared,
  rope,
  type ScoreMod,
  scale,
  scoreMod,
  sigmoid,
  slidingWindow,
  softcap,
  softmax,
  softplusNormalized,
  sparsemax,
  stridedSparse,
  topTheta,
} from '@weft/attention';
import { graphNodes, input, makeGraph, type Node, type Tensor64, tensor64, tensorRef } from '@weft/ir';
import { BUDGETS, type BuiltCase, type CaseRecipe } from './fuzz-case.js';
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

/** Builds the graph and seeded values of an attention recipe (may throw a `WeftError` for unsupported combinations). */
export function buildAttentionCase(recipe: CaseRecipe): BuiltCase {
  const a = recipe.spec as unknown as AttentionRecipe;
  const r = new Prng(recipe.seed ^ 0x5bd1e995);
  const { batch: B, heads: H, queries: Nq, keys: Nk } = a;
  const valueHeads = a.valueHeads ?? a.kvHeads;
  const extra: Record<string, Tensor64> = {};
  const ref = (name: string, shape: number[], data: ArrayLike<number>, dtype: 'f32' | 'i32' = 'f32') => {
    extra[name] = tensor64(shape, data, dtype);
    return tensorRef(name, shape, dtype);
  };
  const positive = (length: number, min: number, max: number) =>
    Float64Array.from({ length }, () => r.float(min, max));

  let positions: Position | undefined;
  if (a.positions.kind === 'alibi')
    positions = alibi(a.positions.slopes ? { slopes: ref('slopes', [H], positive(H, 0.01, 0.5)) } : {});
  else if (a.positions.kind === 'rope')
    positions = rope({
      dims: a.positions.dims,
      fraction: a.positions.fraction,
      layout: a.positions.layout,
      base: a.positions.base,
      ...(a.positions.grid === null ? {} : { grid: a.positions.grid }),
    });

  const score: ScoreMod[] = a.score.map((mod) => {
    switch (mod.kind) {
      case 'scale':
        return scale(mod.value);
      case 'temperature':
        return scale(ref('temperature', [H], positive(H, 0.05, 0.5)));
      case 'softcap':
        return softcap(mod.cap);
      case 'keyBias':
        return keyBias(ref('keyBias', [Nk], r.signed(Nk)));
      case 'distancePenalty':
        return scoreMod(
          (s, { q, k }) => s.sub(k.sub(q).apply('abs').cast('f32').mul(mod.weight)),
          `distancePenalty(${mod.weight})`,
        );
      default:
        throw new Error(`unknown score mod ${JSON.stringify(mod)}`);
    }
  });

  const buildMask = (m: MaskRecipe): Mask => {
    switch (m.kind) {
      case 'causal':
        return causal({ align: m.align });
      case 'slidingWindow':
        return slidingWindow(m.window, { align: m.align });
      case 'chunked':
        return chunked(m.size);
      case 'prefixLM':
        return prefixLM(m.prefix);
      case 'blockCausal':
        return blockCausal(m.size);
      case 'stridedSparse':
        return stridedSparse(m.stride);
      case 'fixedSparse':
        return fixedSparse(m.stride, m.summary);
      case 'document': {
        const segments = (n: number) => {
          const ids: number[] = [];
          for (let b = 0; b < B; b++) {
            let id = 0;
            for (let i = 0; i < n; i++) {
              if (i > 0 && r.chance(0.15)) id++;
              ids.push(id);
            }
          }
          return ids;
        };
        if (Nq === Nk) return documentMask(ref('segments', [B, Nq], segments(Nq), 'i32'), { sorted: true });
        return documentMask(ref('querySegments', [B, Nq], segments(Nq), 'i32'), {
          keySegmentIds: ref('keySegments', [B, Nk], segments(Nk), 'i32'),
          sorted: true,
        });
      }
      case 'keyPadding':
        return keyPadding(
          ref(
            'lengths',
            [B],
            Array.from({ length: B }, () => r.int(0, Nk)),
            'i32',
          ),
        );
      case 'customModulo':
        return customMask(({ q, k }) => q.sub(k).mod(m.modulus).eq(0), `(q-k) mod ${m.modulus} == 0`);
      case 'and':
        return and(...m.masks.map(buildMask));
      case 'or':
        return or(...m.masks.map(buildMask));
      case 'not':
        return not(buildMask(m.mask));
    }
  };

  const n = a.normalizer;
  let normalizer: Normalizer;
  switch (n.kind) {
    case 'softmax':
      normalizer = softmax();
      break;
    case 'sink':
      normalizer = softmax({ sink: n.sink === 'tensor' ? ref('sink', [H], r.signed(H, 2)) : n.sink });
      break;
    case 'sigmoid':
      normalizer = sigmoid(n.bias === null ? {} : { bias: n.bias });
      break;
    case 'reluSquared':
      normalizer = reluSquared();
      break;
    case 'reluNormalized':
      normalizer = reluNormalized();
      break;
    case 'softplusNormalized':
      normalizer = softplusNormalized({
        lengthScale: n.lengthScale,
        ...(n.reweight ? { reweight: { form: 'power', power: 2 } } : {}),
      });
      break;
    case 'polynomialNormalized':
      normalizer = polynomialNormalized({ degree: n.degree });
      break;
    case 'topTheta':
      normalizer = topTheta({
        threshold: ref(
          'theta',
          [H],
          Float64Array.from({ length: H }, () => r.float(-0.5, 0.2)),
        ),
        compensation: n.compensation,
      });
      break;
    case 'entmax':
      normalizer = entmax({ alpha: n.alpha === 'tensor' ? ref('alpha', [H], positive(H, 1.1, 2)) : n.alpha });
      break;
    case 'sparsemax':
      normalizer = sparsemax();
      break;
    case 'nap':
      normalizer = nap({
        gain: ref('napGain', [H], r.signed(H)),
        bias: ref('napBias', [H], r.signed(H, 0.3)),
      });
      break;
    case 'identity':
      normalizer = identity({ outputNorm: n.outputNorm });
      break;
    case 'groupedSoftmax':
      normalizer = groupedSoftmax({ blockSize: n.blockSize });
      break;
    case 'pLaplacian':
      normalizer = pLaplacian({
        features: ref('features', [B, H, Nq, a.valueDim], r.signed(B * H * Nq * a.valueDim)),
        p: n.p,
        mu: n.mu,
      });
      break;
  }

  const spec = attention({
    heads: H,
    kvHeads: a.kvHeads,
    ...(a.valueHeads === null ? {} : { valueHeads: a.valueHeads }),
    headDim: a.headDim,
    valueDim: a.valueDim,
    ...(positions === undefined ? {} : { positions }),
    ...(a.qkNorm === null ? {} : { qkNorm: qkNorm(a.qkNorm) }),
    ...(score.length === 0 ? {} : { score }),
    ...(a.mask === null ? {} : { mask: buildMask(a.mask) }),
    normalizer,
    ...(a.logSumExp ? { outputs: { logSumExp: true } } : {}),
    name: `fuzz.${recipe.seed}`,
  });
  const query = input('q', [B, H, Nq, a.headDim]);
  const key = input('k', [B, a.kvHeads, Nk, a.headDim]);
  const value = input('v', [B, valueHeads, Nk, a.valueDim]);
  const tensors: Record<string, Node> = {};
  for (const [name, tensor] of Object.entries(extra)) tensors[name] = input(name, tensor.shape, tensor.dtype);
  const result = applyAttention(spec, { query, key, value, tensors });
  const outputs: Record<string, Node> = { output: result.output };
  if (result.logSumExp !== undefined) outputs.logSumExp = result.logSumExp;
  const graph = makeGraph(outputs);
  const inputs: Record<string, Tensor64> = {
    q: tensor64([B, H, Nq, a.headDim], r.signed(B * H * Nq * a.headDim)),
    k: tensor64([B, a.kvHeads, Nk, a.headDim], r.signed(B * a.kvHeads * Nk * a.headDim)),
    v: tensor64([B, valueHeads, Nk, a.valueDim], r.signed(B * valueHeads * Nk * a.valueDim)),
    ...extra,
  };
  return { graph, inputs, params: randomParams(graph, r), dims: {} };
}

/** Values in ±[0.1, 1] (never zero) for every `param` node of `graph` (static shapes). */
export function randomParams(
  graph: ReturnType<typeof makeGraph>,
  r: Prng,
  magnitude = 1,
): Record<string, Tensor64> {
  const params: Record<string, Tensor64> = {};
  for (const node of graphNodes(graph)) {
    if (node.op !== 'param') continue;
    const shape = node.shape.map((dim) => (typeof dim === 'number' ? dim : (dim.max ?? 1)));
    const count = shape.reduce((product, dim) => product * dim, 1);
    params[String(node.attrs.name)] = tensor64(shape, r.signed(count, magnitude), node.dtype);
  }
  return params;
}
