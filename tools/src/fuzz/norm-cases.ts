import { input, makeGraph, type Node, type Tensor64, tensor64 } from '@weft/ir';
import {
  batchNorm,
  fixNorm,
  groupNorm,
  hypersphereNormalize,
  instanceLayerNorm,
  instanceNorm,
  l2Norm,
  layerNorm,
  rmsNorm,
  scaleNorm,
  simpleRmsNorm,
} from '@weft/norms';
import { randomParams } from './attention-cases.js';
import { BUDGETS, type BuiltCase, type CaseRecipe } from './fuzz-case.js';
import { Prng } from './prng.js';

/** A norm-layer case as data. */
export interface NormRecipe {
  readonly layer: string;
  readonly shape: readonly number[];
  readonly options: Readonly<Record<string, unknown>>;
  /** Multiply the input by this before the layer (large and tiny magnitudes). */
  readonly inputScale: number;
}

type NormBuilder = (x: Node, options: Record<string, unknown>) => Node;

const LAYERS: Record<string, { readonly rank: [number, number]; readonly build: NormBuilder }> = {
  layerNorm: { rank: [1, 4], build: (x, o) => layerNorm(x, o) },
  rmsNorm: { rank: [1, 4], build: (x, o) => rmsNorm(x, o) },
  simpleRmsNorm: { rank: [1, 3], build: (x, o) => simpleRmsNorm(x, o) },
  scaleNorm: { rank: [1, 3], build: (x, o) => scaleNorm(x, o) },
  fixNorm: { rank: [1, 3], build: (x, o) => fixNorm(x, o) },
  l2Norm: { rank: [1, 4], build: (x, o) => l2Norm(x, o) },
  hypersphereNormalize: { rank: [1, 3], build: (x, o) => hypersphereNormalize(x, o) },
  groupNorm: { rank: [3, 4], build: (x, o) => groupNorm(x, o as { groups: number }) },
  batchNorm: { rank: [3, 4], build: (x, o) => batchNorm(x, o) },
  instanceNorm: { rank: [3, 3], build: (x, o) => instanceNorm(x, o) },
  instanceLayerNorm: { rank: [4, 4], build: (x, o) => instanceLayerNorm(x, o) },
};

/** Draws a norm-layer recipe from `seed`. */
export function normRecipe(seed: number): CaseRecipe {
  const r = new Prng(seed);
  const layer = r.pick(Object.keys(LAYERS));
  const [minRank, maxRank] = LAYERS[layer]!.rank;
  const rank = r.int(minRank, maxRank);
  const shape = Array.from({ length: rank }, (_, axis) =>
    axis === rank - 1 ? r.pick([1, 2, 3, 7, 16, 33, 64, 96, 129, 300]) : r.pick([1, 2, 3, 5, 8]),
  );
  const options: Record<string, unknown> = {};
  if (layer === 'groupNorm') {
    const channels = shape[1]!;
    const groups = r.pick([1, 2, 4, 8].filter((g) => channels % g === 0));
    options.groups = groups;
  }
  if (r.chance(0.3)) options.eps = r.pick([0, 1e-12, 1e-6, 1e-3]);
  if ((layer === 'layerNorm' || layer === 'rmsNorm') && rank >= 2 && r.chance(0.3))
    options.axes = r.chance(0.5) ? [rank - 2, rank - 1] : -1;
  if (layer === 'layerNorm' && r.chance(0.3)) options.bias = false;
  if (layer === 'rmsNorm' && r.chance(0.3)) options.epsPlacement = r.pick(['inside', 'outside']);
  if (layer === 'l2Norm' && r.chance(0.5)) options.scale = r.pick(['none', 'scalar', 'vector']);
  const inputScale = r.weighted<number>([
    [6, 1],
    [1, 1e3],
    [1, 1e-3],
  ]);
  const recipe: NormRecipe = { layer, shape, options, inputScale };
  return {
    kind: 'norm',
    seed,
    family: `norm:${layer}`,
    budget: BUDGETS.default,
    tags: [`layer:${layer}`, `rank:${rank}`, ...(inputScale === 1 ? [] : [`inputScale:${inputScale}`])],
    spec: recipe as unknown as Record<string, unknown>,
  };
}

/** Builds a norm recipe's graph and seeded values. */
export function buildNormCase(recipe: CaseRecipe): BuiltCase {
  const n = recipe.spec as unknown as NormRecipe;
  const r = new Prng(recipe.seed ^ 0x27d4eb2f);
  const x = input('x', n.shape);
  const y = LAYERS[n.layer]!.build(x, { ...n.options, name: 'fuzzNorm' });
  const graph = makeGraph({ y });
  const count = n.shape.reduce((product, dim) => product * dim, 1);
  const inputs: Record<string, Tensor64> = {
    x: tensor64(n.shape, r.signed(count, n.inputScale)),
  };
  const params = randomParams(graph, r);
  for (const [name, tensor] of Object.entries(params))
    if (/running_?var|runningVar|variance/i.test(name))
      params[name] = { ...tensor, data: tensor.data.map((value) => 0.5 + Math.abs(value)) };
  return { graph, inputs, params, dims: {} };
}
