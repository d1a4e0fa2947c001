import { tensor64 } from '@weft/ir';
import { buildDecoderLmGraph, type ModelSpecInput, parseModelSpec } from '@weft/models';
import { randomParams } from './attention-cases.js';
import { BUDGETS, type BuiltCase, type CaseRecipe } from './fuzz-case.js';
import { Prng } from './prng.js';

/** A tiny decoder-LM case: a JSON model spec and the prompt length of the forward pass. */
export interface ModelRecipe {
  readonly document: ModelSpecInput;
  readonly tokens: number;
}

/** Draws a tiny decoder-LM spec (valid by construction) from `seed`. */
export function modelRecipe(seed: number): CaseRecipe {
  const r = new Prng(seed);
  const heads = r.pick([1, 2, 4]);
  const kvHeads = r.pick([1, 2, 4].filter((d) => heads % d === 0));
  const headDim = r.pick([4, 8]);
  const dModel = r.pick([16, 24, 32]);
  const maxSeq = r.pick([8, 16]);
  const positionsKind = r.pick(['rope', 'learned', 'sinusoidal', 'alibi', 'nope'] as const);
  const positions =
    positionsKind === 'rope'
      ? { kind: 'rope' as const, ...(r.chance(0.3) ? { fraction: 0.5 } : {}) }
      : positionsKind === 'learned'
        ? { kind: 'learned' as const, max: maxSeq }
        : { kind: positionsKind };
  const document: ModelSpecInput = {
    schemaVersion: 1,
    kind: 'decoder-lm',
    config: {
      vocabSize: r.pick([16, 48, 61]),
      dModel,
      layers: r.pick([1, 2]),
      heads,
      kvHeads,
      headDim,
      mlp: { kind: r.pick(['swiglu', 'geglu', 'gelu'] as const), hidden: r.pick([16, 48]) },
      norm: {
        kind: r.pick(['rmsnorm', 'layernorm'] as const),
        placement: r.pick(['pre', 'post', 'sandwich'] as const),
      },
      positions,
      maxSeq,
      tieEmbeddings: r.chance(0.3),
    },
  };
  const recipe: ModelRecipe = { document, tokens: r.int(1, maxSeq) };
  return {
    kind: 'model',
    seed,
    family: 'model:decoder-lm',
    budget: BUDGETS.model,
    tags: [
      `positions:${positionsKind}`,
      `mlp:${document.config.mlp.kind}`,
      `norm:${document.config.norm.kind}`,
    ],
    spec: recipe as unknown as Record<string, unknown>,
  };
}

/** Builds the forward-pass graph of a model recipe with random weights (±0.5) and random tokens. */
export function buildModelCase(recipe: CaseRecipe): BuiltCase {
  const m = recipe.spec as unknown as ModelRecipe;
  const r = new Prng(recipe.seed ^ 0x165667b1);
  const config = parseModelSpec(m.document).config;
  const { graph } = buildDecoderLmGraph(config, { mode: 'forward' });
  const tokens = Array.from({ length: m.tokens }, () => r.int(0, config.vocabSize - 1));
  return {
    graph,
    inputs: { tokens: tensor64([1, m.tokens], tokens, 'i32') },
    params: randomParams(graph, r, 0.5),
    dims: { seq: m.tokens },
  };
}
