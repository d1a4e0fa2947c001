import {
  alibi,
  and,
  applyAttention,
  attention,
  blockCausal,
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
import type { AttentionRecipe, MaskRecipe } from './attention-recipe.js';
import type { BuiltCase, CaseRecipe } from './fuzz-case.js';
import { Prng } from './prng.js';
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
