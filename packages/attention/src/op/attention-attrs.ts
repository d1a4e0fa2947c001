import { type Attrs, type AttrValue, Expr, SpecError } from '@weft/ir';
import type { AnyNormalizerDef, NormalizerAttrs } from '../normalizers/normalizer-def.js';
import { BUILTIN_NORMALIZER_TABLE, type NormalizerTable } from '../normalizers/normalizer-table.js';
import type { AttentionSpec } from '../spec/attention-spec.js';
import { SCORE } from '../spec/attention-variables.js';
import { alibiBias, rotaryDims } from '../spec/positions.js';
import { type AxisRole, mergeTensorUses, type TensorUse, tensorUses } from '../spec/tensor-use.js';

export type { NormalizerAttrs } from '../normalizers/normalizer-def.js';

/** The name of the attention op in the op table (and of its fused template). */
export const ATTENTION_OP = 'attention';

/**
 * What an attention node computes: O, the row log-sum-exp, the row max of the kept scores, or a
 * readout of the probabilities (row entropy, diagonal, mass per key segment).
 */
export type AttentionOutputKind = 'output' | 'logSumExp' | 'rowMax' | AttentionReadoutKind;

/** The readouts of the probabilities that the kernel computing O writes (softmax only). */
export type AttentionReadoutKind = 'entropy' | 'diagonal' | 'segmentMass' | 'probeRows' | 'relativeMass';

/** Every output kind, in the order kernels declare them. */
export const ATTENTION_OUTPUT_KINDS: readonly AttentionOutputKind[] = [
  'output',
  'logSumExp',
  'rowMax',
  'entropy',
  'diagonal',
  'segmentMass',
  'probeRows',
  'relativeMass',
];

/** The readout kinds (see {@link AttentionReadoutKind}). */
export const ATTENTION_READOUT_KINDS: readonly AttentionReadoutKind[] = [
  'entropy',
  'diagonal',
  'segmentMass',
  'probeRows',
  'relativeMass',
];

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
  /** The mask's block rule reads a table that may call most tiles empty (see `Mask.listsTiles`). */
  readonly maskListsTiles: boolean;
  /** Normalizer, as stored. */
  readonly normalizer: NormalizerAttrs;
  /** The normalizer's def (found by name in the normalizer table). */
  readonly normalizerDef: AnyNormalizerDef;
  /** What the node computes. */
  readonly output: AttentionOutputKind;
  /** First key of each segment of the segment-mass readout, or null when the spec asks for none. */
  readonly keySegments: readonly number[] | null;
  /** Query rows of the probe readout (negative: from the end), or null when the spec asks for none. */
  readonly probeRows: readonly number[] | null;
  /** Clip distance K of the relative-offset mass readout, or null when the spec asks for none. */
  readonly relativeClip: number | null;
  /** Captured tensors in operand order (operand 3 onwards). */
  readonly tensors: readonly TensorUse[];
}

/** Encodes `spec` as the attributes of an attention node whose keys have at most `maxKeys` entries. */
export function encodeAttention(spec: AttentionSpec, maxKeys: number, output: AttentionOutputKind): Attrs {
  const score = scoreExpr(spec);
  const { attrs: normalizer, roles } = encodeNormalizer(spec, maxKeys);
  const mask = spec.mask;
  const normalizerExprs = Object.values(normalizer).filter((value): value is Expr => value instanceof Expr);
  const parameters = parameterUses(spec);
  const tensors = mergeTensorUses(
    mask?.tensors ?? [],
    tensorUses([score, ...normalizerExprs], roles),
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
    // Stored only when set: the nodes of every other mask keep their attrs (and hashes).
    ...(mask?.listsTiles === true ? { maskListsTiles: true } : {}),
    normalizer: normalizer as AttrValue,
    output,
    // Present only when requested: nodes of specs without it keep their attributes (and kernels).
    ...(spec.outputs.segmentMass.length === 0 ? {} : { keySegments: [...spec.outputs.segmentMass] }),
    ...(spec.outputs.probeRows.length === 0 ? {} : { probeRows: [...spec.outputs.probeRows] }),
    ...(spec.outputs.relativeMass === 0 ? {} : { relativeClip: spec.outputs.relativeMass }),
    tensors: tensors.map((use) => ({
      name: use.name,
      rank: use.rank,
      dtype: use.dtype,
      roles: use.roles === undefined ? null : [...use.roles],
    })),
  };
}

/**
 * Decodes (and checks the form of) an attention node's attributes; the normalizer's def is looked
 * up by name in `table` (default: the built-ins).
 */
export function decodeAttention(
  attrs: Attrs,
  table: NormalizerTable = BUILTIN_NORMALIZER_TABLE,
): AttentionAttrs {
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
  const output = ATTENTION_OUTPUT_KINDS.includes(attrs.output as AttentionOutputKind)
    ? (attrs.output as AttentionOutputKind)
    : fail('output', ATTENTION_OUTPUT_KINDS.map((kind) => `'${kind}'`).join(' | '));
  const keySegments =
    attrs.keySegments === undefined
      ? null
      : Array.isArray(attrs.keySegments) && attrs.keySegments.every((start) => Number.isInteger(start))
        ? (attrs.keySegments as number[])
        : fail('keySegments', 'an array of integers');
  if (output === 'segmentMass' && keySegments === null) fail('keySegments', 'segment starts (segment mass)');
  const probeRows =
    attrs.probeRows === undefined
      ? null
      : Array.isArray(attrs.probeRows) && attrs.probeRows.every((row) => Number.isInteger(row))
        ? (attrs.probeRows as number[])
        : fail('probeRows', 'an array of integers');
  if (output === 'probeRows' && probeRows === null) fail('probeRows', 'query rows (probes)');
  const relativeClip = attrs.relativeClip === undefined ? null : integer('relativeClip');
  if (output === 'relativeMass' && relativeClip === null)
    fail('relativeClip', 'a clip distance (relative mass)');
  const normalizerDef = normalizerDefOf(block, attrs.normalizer, table);
  const stored = attrs.normalizer as unknown as NormalizerAttrs;
  const normalizer = normalizerDef.decode?.(stored, block) ?? stored;
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
    maskListsTiles: attrs.maskListsTiles === true,
    normalizer,
    normalizerDef,
    output,
    keySegments,
    probeRows,
    relativeClip,
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

/** The normalizer's encoding on the node: its def's attrs and the axis roles of the tensors they read. */
function encodeNormalizer(
  spec: AttentionSpec,
  maxKeys: number,
): { attrs: NormalizerAttrs; roles: Readonly<Record<string, readonly AxisRole[]>> } {
  const { def, options } = spec.normalizer;
  const context = { block: spec.name, heads: spec.heads, valueDim: spec.valueDim, maxKeys };
  return { attrs: def.attrs(options, context), roles: def.roles?.(options, context) ?? {} };
}

/** The def of a node's `normalizer` attribute, found by name in `table`. */
function normalizerDefOf(block: string, normalizer: unknown, table: NormalizerTable): AnyNormalizerDef {
  const name = (normalizer as { name?: unknown } | null)?.name;
  const def = typeof name === 'string' ? table.get(name) : undefined;
  if (def === undefined)
    throw new SpecError(`attention "${block}": unknown normalizer`, {
      block,
      expected:
        'a built-in normalizer; a graph with one made by defineNormalizer loads with attentionExtension({ normalizers: [it] }) from @weft/attention/kernels',
      actual: typeof name === 'string' ? name : 'nothing',
    });
  return def;
}
