import {
  type Attrs,
  canonicalAttrs,
  type Dim,
  DTypeError,
  declaredReadShape,
  dimsEqual,
  type Expr,
  exprNodes,
  formatDim,
  isSymbolic,
  maxDim,
  type OpDef,
  ShapeError,
  SpecError,
  type TensorType,
} from '@weft/ir';
import type { AnyNormalizerDef } from '../normalizers/normalizer-def.js';
import { BUILTIN_NORMALIZER_TABLE, type NormalizerTable } from '../normalizers/normalizer-table.js';
import type { AxisRole } from '../spec/tensor-use.js';
import { ATTENTION_OP, type AttentionAttrs, decodeAttention } from './attention-attrs.js';
import { describeAttention } from './attention-description.js';
import { decomposeAttention } from './decompose-attention.js';
import { evaluateAttention } from './evaluate-attention.js';

/** An attention op: the op def of its nodes and the normalizer table they decode with. */
export type AttentionOpDef = OpDef & {
  /** The normalizers its nodes may use, by name. */
  readonly normalizers: NormalizerTable;
};

/**
 * The `attention` op whose nodes find their normalizer's def in `normalizers`. Operands
 * `query [B, H, Nq, dk]`, `key [B, Hk, Nk, dk]`, `value [B, Hv, Nk, dv]`, then the tensors its
 * score, mask and normalizer read, in the order of its `tensors` attribute. Result:
 * `O [B, H, Nq, dv]` (f32), `[B, H, Nq]` when `output` is `logSumExp`, `rowMax`, `entropy` or
 * `diagonal`, `[B, H, Nq, S]` for `segmentMass` over S key segments, `[B, H, Nq, 2K + 1]` for `relativeMass`
 * (clip distance K), `[B, H, R, Nk]` for `probeRows` (R rows). Opaque for
 * the fusion planner: it runs as its own fused template, `attention` (see `@weft/attention/kernels`);
 * nodes that differ only in `output` share one kernel, which writes each of them in one pass.
 * A plain value: nodes carry it, so building one registers nothing.
 */
export function attentionOpFor(normalizers: NormalizerTable): AttentionOpDef {
  const decode = (attrs: Attrs) => decodeAttention(attrs, normalizers);
  return {
    name: ATTENTION_OP,
    arity: 'variadic',
    fusion: 'opaque',
    infer: (inputs, attrs) => inferAttention(inputs, decode(attrs)),
    evaluate: (inputs, attrs) => evaluateAttention(inputs, decode(attrs)),
    decompose: (node) => decomposeAttention(node, decode(node.attrs)),
    describe: describeAttention,
    // O, the row statistics and the readouts of one attention are written by one kernel.
    sharedKernelKey: (node) => {
      const { output: _, ...rest } = node.attrs;
      return canonicalAttrs(rest);
    },
    // The templates index Q, K, V and the output row by row with strides (`view-offsets.ts`):
    // packed [B, N, H·d] projections are read in place, merged heads written in place.
    viewOperands: () => [0, 1, 2],
    writesThroughView: (node) => node.attrs.output === 'output',
    normalizers,
  };
}

/** The `attention` op of the built-in normalizers (see {@link attentionOpFor}). */
export const attentionOp: AttentionOpDef = attentionOpFor(BUILTIN_NORMALIZER_TABLE);

/** Attention ops of user-defined normalizers, one per def. */
const derivedOps = new WeakMap<AnyNormalizerDef, AttentionOpDef>();

/**
 * The attention op for nodes of normalizer `def`: {@link attentionOp} for the built-ins, else one
 * op (memoized per def) over the built-ins and `def`.
 */
export function attentionOpForNormalizer(def: AnyNormalizerDef): AttentionOpDef {
  if (BUILTIN_NORMALIZER_TABLE.has(def)) return attentionOp;
  let op = derivedOps.get(def);
  if (op === undefined) {
    op = attentionOpFor(BUILTIN_NORMALIZER_TABLE.with(def));
    derivedOps.set(def, op);
  }
  return op;
}

/** The attention op's shape rule: names the block, the tensor and the dim of the first mismatch. */
export function inferAttention(inputs: readonly TensorType[], spec: AttentionAttrs): TensorType {
  const block = spec.block;
  const names = ['query', 'key', 'value'];
  if (inputs.length !== 3 + spec.tensors.length) {
    throw new SpecError(`attention "${block}": wrong number of operands`, {
      block,
      expected: `query, key, value and ${spec.tensors.length} captured tensor(s)`,
      actual: inputs.length,
    });
  }
  inputs.slice(0, 3).forEach((input, index) => {
    if (input.shape.length !== 4) {
      throw new ShapeError(`attention "${block}": ${names[index]} must be [batch, heads, length, dim]`, {
        block,
        tensor: names[index]!,
        expected: 'rank 4',
        actual: `rank ${input.shape.length}`,
      });
    }
    if (input.dtype !== 'f32') {
      throw new DTypeError(`attention "${block}": ${names[index]} must be f32`, {
        block,
        tensor: names[index]!,
        expected: 'f32',
        actual: input.dtype,
      });
    }
  });
  const [query, key, value] = inputs as [TensorType, TensorType, TensorType];
  const [batch, heads, queries, headDim] = query.shape as [Dim, Dim, Dim, Dim];
  const [, , keys] = key.shape as [Dim, Dim, Dim];
  const expectDim = (tensor: string, dimension: number, actual: Dim, expected: Dim, meaning: string) => {
    if (!dimsEqual(actual, expected)) {
      throw new ShapeError(`attention "${block}": ${tensor} ${meaning} does not match`, {
        block,
        tensor,
        dimension,
        expected: formatDim(expected),
        actual: formatDim(actual),
      });
    }
  };
  expectDim('query', 1, heads, spec.heads, 'heads');
  expectDim('query', 3, headDim, spec.headDim, 'head dim');
  expectDim('key', 0, key.shape[0]!, batch, 'batch (query batch)');
  expectDim('key', 1, key.shape[1]!, spec.kvHeads, 'heads (kvHeads)');
  expectDim('key', 3, key.shape[3]!, headDim, 'head dim (query head dim)');
  expectDim('value', 0, value.shape[0]!, batch, 'batch (query batch)');
  expectDim('value', 1, value.shape[1]!, spec.valueHeads, 'heads (valueHeads)');
  expectDim('value', 2, value.shape[2]!, keys, 'length (key length)');
  expectDim('value', 3, value.shape[3]!, spec.valueDim, 'value dim');
  const grid = spec.rope?.grid;
  if (grid != null && !dimsEqual(keys, grid[0] * grid[1])) {
    throw new ShapeError(
      `attention "${block}": 2-D RoPE grid ${grid[0]}×${grid[1]} does not match the key length`,
      { block, tensor: 'key', dimension: 2, expected: grid[0] * grid[1], actual: formatDim(keys) },
    );
  }
  const sizes: Record<Exclude<AxisRole, number>, Dim> = { batch, heads, queries, keys, one: 1 };
  spec.tensors.forEach((use, position) => {
    const tensor = inputs[3 + position]!;
    if (tensor.shape.length !== use.rank) {
      throw new ShapeError(`attention "${block}": captured tensor "${use.name}" has the wrong rank`, {
        block,
        tensor: use.name,
        expected: `rank ${use.rank}`,
        actual: `rank ${tensor.shape.length}`,
      });
    }
    if (tensor.dtype !== use.dtype) {
      throw new DTypeError(`attention "${block}": captured tensor "${use.name}" has the wrong dtype`, {
        block,
        tensor: use.name,
        expected: `${use.dtype} (the dtype its reads declare)`,
        actual: tensor.dtype,
      });
    }
    use.roles?.forEach((role, axis) => {
      const expected = typeof role === 'number' ? role : sizes[role];
      if (!dimsEqual(tensor.shape[axis]!, expected)) {
        throw new ShapeError(`attention "${block}": captured tensor "${use.name}" has the wrong shape`, {
          block,
          tensor: use.name,
          dimension: axis,
          expected: `${formatDim(expected)} (${typeof role === 'number' ? 'static' : role})`,
          actual: formatDim(tensor.shape[axis]!),
        });
      }
    });
  });
  checkCapturedReads(spec, inputs.slice(3), {
    b: maxDim(batch),
    h: maxDim(heads),
    kvHead: spec.kvHeads,
    valueHead: spec.valueHeads,
    q: maxDim(queries),
    k: maxDim(keys),
  });
  if (spec.output === 'probeRows' && !isSymbolic(queries))
    for (const row of spec.probeRows!)
      if (row < -queries || row >= queries)
        throw new ShapeError(`attention "${block}": probed row ${row} is out of range`, {
          block,
          tensor: 'query',
          dimension: 2,
          expected: `a row in [${-queries}, ${queries - 1}]`,
          actual: row,
        });
  const shape =
    spec.output === 'output'
      ? [batch, heads, queries, spec.valueDim]
      : spec.output === 'segmentMass'
        ? [batch, heads, queries, spec.keySegments!.length]
        : spec.output === 'relativeMass'
          ? [batch, heads, queries, 2 * spec.relativeClip! + 1]
          : spec.output === 'probeRows'
            ? [batch, heads, spec.probeRows!.length, keys]
            : [batch, heads, queries];
  return { shape, dtype: 'f32' };
}

/**
 * A captured tensor read at a bare index variable (`bias.at(k)`) must be at least as long on that
 * axis as the variable's range (the keys, the heads...): a shorter one would be read out of bounds
 * (the reference throws, a GPU kernel would read another tensor's memory). Checked when the graph
 * is built, naming the tensor, the axis and both sizes.
 */
function checkCapturedReads(
  spec: AttentionAttrs,
  tensors: readonly TensorType[],
  ranges: Readonly<Record<string, number>>,
): void {
  const exprs: Expr[] = [spec.score, spec.mask, spec.maskEmpty, spec.maskFull].filter(
    (expr): expr is Expr => expr !== null,
  );
  for (const value of Object.values(spec.normalizer)) if (isExpr(value)) exprs.push(value);
  const positions = new Map(spec.tensors.map((use, position) => [use.name, position]));
  for (const expr of exprs) {
    for (const node of exprNodes(expr)) {
      if (node.kind !== 'read') continue;
      const position = positions.get(String(node.payload));
      if (position === undefined) continue;
      const tensor = tensors[position]!;
      const declared = declaredReadShape(node);
      if (declared !== undefined && !fitsDeclared(tensor.shape, declared)) {
        const name = String(node.payload);
        throw new ShapeError(
          `attention "${spec.block}": captured tensor "${name}" does not have its declared shape`,
          {
            block: spec.block,
            tensor: name,
            expected: `[${declared.join(', ')}] (its tensorRef)`,
            actual: `[${tensor.shape.map(formatDim).join(', ')}]`,
          },
        );
      }
      node.args.forEach((index, axis) => {
        if (index.kind !== 'var' || !Object.hasOwn(ranges, index.payload)) return;
        const needed = ranges[index.payload as string]!;
        const size = tensor.shape[axis];
        if (size !== undefined && maxDim(size) < needed) {
          const name = String(node.payload);
          throw new ShapeError(
            `attention "${spec.block}": captured tensor "${name}" is read at ${String(index.payload)} up to ${needed - 1}, beyond its size`,
            {
              block: spec.block,
              tensor: name,
              dimension: axis,
              expected: `at least ${needed} (the range of ${String(index.payload)})`,
              actual: formatDim(size),
            },
          );
        }
      });
    }
  }
}

/**
 * A bound shape fits a tensorRef's when it has its rank and no axis is larger than declared (a
 * smaller one is fine as long as the reads stay inside it, which `checkCapturedReads` checks).
 */
function fitsDeclared(shape: readonly Dim[], declared: readonly number[]): boolean {
  if (shape.length !== declared.length) return false;
  return shape.every((dim, axis) => maxDim(dim) <= declared[axis]!);
}

function isExpr(value: unknown): value is Expr {
  return typeof value === 'object' && value !== null && 'kind' in value && 'args' in value && 'key' in value;
}
