import { type Attrs, type AttrValue, constant, Expr, SpecError } from '@weft/ir';
import type { AttentionSpec } from '../spec/attention-spec.js';
import { ATTENTION_INDICES, SCORE } from '../spec/attention-variables.js';
import type { L1Map, OutputNorm, Reweight, ThresholdCompensation } from '../spec/normalizers.js';
import { alibiBias, rotaryDims } from '../spec/positions.js';
import { type AxisRole, mergeTensorUses, type TensorUse, tensorUses } from '../spec/tensor-use.js';
import { type PLaplacianAttrs, pLaplacianAttrs, pLaplacianRoles } from './p-laplacian-attrs.js';

/** The name of the attention op in the op table (and of its fused template). */
export const ATTENTION_OP = 'attention';

/** What an attention node computes: O, the row log-sum-exp, or the row max of the kept scores. */
export type AttentionOutputKind = 'output' | 'logSumExp' | 'rowMax';

/** The normalizer as stored on a node: its name and its parameters as Exprs over `h`. */
export type NormalizerAttrs =
  | { readonly name: 'softmax'; readonly sink: Expr | null }
  | { readonly name: 'sigmoid'; readonly bias: Expr }
  | { readonly name: 'reluSquared' }
  | {
      readonly name: 'l1';
      readonly map: L1Map;
      /** Log base b of LSSA's row scale c_i = log_b N_i (e for ln); absent without a length scale. */
      readonly lengthBase?: number;
      /** LSSAR's re-weighting; absent without one. */
      readonly reweight?: Reweight;
    }
  | {
      readonly name: 'topTheta';
      /** θ of the row, an Expr over `h` (and `q` for a `[heads, queries]` threshold). */
      readonly threshold: Expr;
      /** How the pruned scores are accounted for. */
      readonly compensation: ThresholdCompensation;
    }
  | { readonly name: 'entmax'; readonly alpha: Expr }
  | { readonly name: 'nap'; readonly gain: Expr; readonly bias: Expr; readonly epsilon: number }
  | { readonly name: 'identity'; readonly outputNorm: OutputNorm; readonly epsilon: number }
  | {
      readonly name: 'groupedSoftmax';
      /** ℓ: regular keys per block, each block closed by one landmark key. */
      readonly blockSize: number;
    }
  | PLaplacianAttrs;

/** Rotary settings as stored on a node. */
export interface RopeAttrs {
  /** Frequency base θ. */
  readonly base: number;
  /** Rotated dims r (both axes together for 2-D). */
  readonly rotaryDims: number;
  /** Pairing of rotated dims within each axis block. */
  readonly layout: 'half' | 'interleaved';
  /** `[height, width]` of 2-D RoPE, or null for 1-D. */
  readonly grid: readonly [number, number] | null;
}

/** The learned parameters of one side (query or key) of a QK norm: captured-tensor names or null. */
export interface QkNormSideAttrs {
  /** γ (`[1]` or `[d]`), or null without a scale. */
  readonly gamma: string | null;
  /** β (`[d]`), or null without a bias. */
  readonly beta: string | null;
}

/** QK normalization as stored on a node. */
export interface QkNormAttrs {
  /** Statistic: ℓ₂ norm, RMS, or centered standard deviation. */
  readonly kind: 'l2' | 'rms' | 'layer';
  /** ε. */
  readonly epsilon: number;
  /** Query parameters. */
  readonly query: QkNormSideAttrs;
  /** Key parameters. */
  readonly key: QkNormSideAttrs;
}

/** An attention node's attributes, decoded: everything the reference and the kernel need. */
export interface AttentionAttrs {
  /** Block path for error messages. */
  readonly block: string;
  /** Query heads. */
  readonly heads: number;
  /** Key heads: query head h reads key head ⌊h·kvHeads/heads⌋. */
  readonly kvHeads: number;
  /** Value heads: query head h reads value head ⌊h·valueHeads/heads⌋ (equal to kvHeads unless decoupled). */
  readonly valueHeads: number;
  /** Query/key head dim. */
  readonly headDim: number;
  /** Value head dim. */
  readonly valueDim: number;
  /** Rotary settings, or null without RoPE. */
  readonly rope: RopeAttrs | null;
  /** QK normalization, or null. */
  readonly qkNorm: QkNormAttrs | null;
  /** Captured tensor `[heads, kvHeads]` of weighted-GQA mixing weights, or null for plain heads. */
  readonly kvWeights: string | null;
  /** The final score as an f32 Expr of the raw dot product `score` and the indices. */
  readonly score: Expr;
  /** Keep predicate, or null without a mask. */
  readonly mask: Expr | null;
  /** Block rule of the mask (null without a mask). */
  readonly maskEmpty: Expr | null;
  /** Block rule of the mask (null without a mask). */
  readonly maskFull: Expr | null;
  /** Normalizer. */
  readonly normalizer: NormalizerAttrs;
  /** What the node computes. */
  readonly output: AttentionOutputKind;
  /** Captured tensors in operand order (operand 3 onwards). */
  readonly tensors: readonly TensorUse[];
}

/** Encodes `spec` as the attributes of an attention node whose keys have at most `maxKeys` entries. */
export function encodeAttention(spec: AttentionSpec, maxKeys: number, output: AttentionOutputKind): Attrs {
  const score = scoreExpr(spec);
  const normalizer = normalizerAttrs(spec, maxKeys);
  const mask = spec.mask;
  const normalizerExprs = Object.values(normalizer).filter((value): value is Expr => value instanceof Expr);
  const parameters = parameterUses(spec);
  const tensors = mergeTensorUses(
    mask?.tensors ?? [],
    tensorUses([score, ...normalizerExprs], normalizerRoles(spec)),
    parameters.uses,
  );
  const rope = spec.positions.name === 'rope' ? spec.positions.rope : undefined;
  return {
    block: spec.name,
    heads: spec.heads,
    kvHeads: spec.kvHeads,
    valueHeads: spec.valueHeads,
    headDim: spec.headDim,
    valueDim: spec.valueDim,
    rope:
      rope === undefined
        ? null
        : {
            base: rope.base,
            rotaryDims: rotaryDims(rope, spec.headDim),
            layout: rope.layout,
            grid: rope.grid === null ? null : [...rope.grid],
          },
    qkNorm: parameters.qkNorm as AttrValue,
    kvWeights: parameters.kvWeights,
    score,
    mask: mask?.predicate ?? null,
    maskEmpty: mask?.blockRule.empty ?? null,
    maskFull: mask?.blockRule.full ?? null,
    normalizer: normalizer as AttrValue,
    output,
    tensors: tensors.map((use) => ({
      name: use.name,
      rank: use.rank,
      dtype: use.dtype,
      roles: use.roles === undefined ? null : [...use.roles],
    })),
  };
}

/** Decodes (and checks the form of) an attention node's attributes. */
export function decodeAttention(attrs: Attrs): AttentionAttrs {
  const block = typeof attrs.block === 'string' ? attrs.block : 'attention';
  const fail = (key: string, expected: string): never => {
    throw new SpecError(`attention "${block}": attribute "${key}" is invalid`, {
      block,
      expected,
      actual: attrs[key] ?? 'nothing',
    });
  };
  const integer = (key: string) =>
    typeof attrs[key] === 'number' && Number.isInteger(attrs[key])
      ? (attrs[key] as number)
      : fail(key, 'an integer');
  const expr = (key: string, nullable: boolean) => {
    const value = attrs[key];
    if (value instanceof Expr || (nullable && value === null)) return value as Expr | null;
    return fail(key, nullable ? 'an Expr or null' : 'an Expr');
  };
  const output =
    attrs.output === 'output' || attrs.output === 'logSumExp' || attrs.output === 'rowMax'
      ? attrs.output
      : fail('output', "'output' | 'logSumExp' | 'rowMax'");
  const tensors = Array.isArray(attrs.tensors)
    ? (attrs.tensors as unknown as TensorUse[])
    : fail('tensors', 'an array');
  return {
    block,
    heads: integer('heads'),
    kvHeads: integer('kvHeads'),
    valueHeads: attrs.valueHeads === undefined ? integer('kvHeads') : integer('valueHeads'),
    headDim: integer('headDim'),
    valueDim: integer('valueDim'),
    rope: (attrs.rope ?? null) as AttentionAttrs['rope'],
    qkNorm: (attrs.qkNorm ?? null) as AttentionAttrs['qkNorm'],
    kvWeights: typeof attrs.kvWeights === 'string' ? attrs.kvWeights : null,
    score: expr('score', false)!,
    mask: expr('mask', true),
    maskEmpty: expr('maskEmpty', true),
    maskFull: expr('maskFull', true),
    normalizer: attrs.normalizer as unknown as NormalizerAttrs,
    output,
    tensors: tensors.map((use) => ({
      name: use.name,
      rank: use.rank,
      dtype: use.dtype,
      ...(use.roles === null || use.roles === undefined ? {} : { roles: use.roles as AxisRole[] }),
    })),
  };
}

/** The final score: default scale (unless a mod sets it), the mods in order, then ALiBi. */
function scoreExpr(spec: AttentionSpec): Expr {
  let score = spec.score.some((mod) => mod.setsScale) ? SCORE : SCORE.mul(1 / Math.sqrt(spec.headDim));
  for (const mod of spec.score) score = mod.apply(score);
  if (spec.positions.name === 'alibi') score = score.add(alibiBias(spec.positions, spec.heads));
  return score;
}

/** The learned parameters a spec owns (QK-norm γ/β, weighted-GQA weights), named after its block. */
function parameterUses(spec: AttentionSpec): {
  uses: TensorUse[];
  qkNorm: QkNormAttrs | null;
  kvWeights: string | null;
} {
  const uses: TensorUse[] = [];
  const use = (name: string, roles: AxisRole[]) => {
    uses.push({ name, rank: roles.length, dtype: 'f32', roles });
    return name;
  };
  const norm = spec.qkNorm;
  const side = (prefix: string): QkNormSideAttrs => ({
    gamma:
      norm === undefined || norm.scale === 'none'
        ? null
        : use(`${spec.name}.${prefix}.gamma`, [norm.scale === 'scalar' ? 1 : spec.headDim]),
    beta: norm?.bias === true ? use(`${spec.name}.${prefix}.beta`, [spec.headDim]) : null,
  });
  const qkNorm =
    norm === undefined
      ? null
      : { kind: norm.norm, epsilon: norm.epsilon, query: side('qNorm'), key: side('kNorm') };
  const kvWeights = spec.weightedHeads ? use(`${spec.name}.kvWeights`, [spec.heads, spec.kvHeads]) : null;
  return { uses, qkNorm, kvWeights };
}

/** Axis roles of the tensors a normalizer reads (Top-θ's threshold is `[heads]` or `[heads, queries]`). */
function normalizerRoles(spec: AttentionSpec): Record<string, AxisRole[]> {
  const normalizer = spec.normalizer;
  if (normalizer.name === 'pLaplacian') return pLaplacianRoles(normalizer, spec.valueDim);
  if (normalizer.name !== 'topTheta') return {};
  const roles: AxisRole[] = normalizer.threshold.shape.length === 1 ? ['heads'] : ['heads', 'queries'];
  return { [normalizer.threshold.name]: roles };
}

function normalizerAttrs(spec: AttentionSpec, maxKeys: number): NormalizerAttrs {
  const normalizer = spec.normalizer;
  switch (normalizer.name) {
    case 'softmax':
      return { name: 'softmax', sink: normalizer.sink ?? null };
    case 'sigmoid':
      return { name: 'sigmoid', bias: normalizer.bias ?? constant(-Math.log(maxKeys)) };
    case 'reluSquared':
      return { name: 'reluSquared' };
    case 'l1':
      return {
        name: 'l1',
        map: normalizer.map,
        ...(normalizer.lengthScale === 'none'
          ? {}
          : { lengthBase: normalizer.lengthScale === 'log' ? Math.E : normalizer.lengthScale }),
        ...(normalizer.reweight === undefined ? {} : { reweight: { ...normalizer.reweight } }),
      };
    case 'topTheta': {
      const threshold = normalizer.threshold;
      if (threshold.shape[0] !== spec.heads)
        throw new SpecError(`attention "${spec.name}": topTheta threshold must have one entry per head`, {
          block: spec.name,
          tensor: threshold.name,
          dimension: 0,
          expected: spec.heads,
          actual: threshold.shape[0] ?? 'nothing',
        });
      const index =
        threshold.shape.length === 1 ? [ATTENTION_INDICES.h] : [ATTENTION_INDICES.h, ATTENTION_INDICES.q];
      return { name: 'topTheta', threshold: threshold.at(...index), compensation: normalizer.compensation };
    }
    case 'entmax':
      return { name: 'entmax', alpha: normalizer.alpha };
    case 'nap':
      return { name: 'nap', gain: normalizer.gain, bias: normalizer.bias, epsilon: normalizer.epsilon };
    case 'identity':
      return { name: 'identity', outputNorm: normalizer.outputNorm, epsilon: normalizer.epsilon };
    case 'pLaplacian':
      return pLaplacianAttrs(normalizer, spec);
    case 'groupedSoftmax':
      if (!Number.isInteger(normalizer.blockSize) || normalizer.blockSize < 1)
        throw new SpecError(`attention "${spec.name}": groupedSoftmax blockSize must be an integer >= 1`, {
          block: spec.name,
          expected: 'integer >= 1',
          actual: String(normalizer.blockSize),
        });
      return { name: 'groupedSoftmax', blockSize: normalizer.blockSize };
    default:
      throw new SpecError(`attention "${spec.name}": unknown normalizer`, {
        block: spec.name,
        actual: (normalizer as { name: string }).name,
      });
  }
}
