import type { Attrs } from '@weft/ir';
import { SpecError } from '@weft/ir';
import { type FeatureMap, featureMapNamed } from './feature-maps.js';
import type { LinearAttentionSpec } from './linear-attention-spec.js';

/** Name of the linear-attention output op. */
export const LINEAR_ATTENTION_OP = 'linearAttention';
/** Name of the op that computes the state after a sequence (values S, or key sums z). */
export const LINEAR_STATE_OP = 'linearAttention.state';

/** The attributes of a `linearAttention` node, decoded (JSON form: the same with φ's name). */
export interface LinearAttentionAttrs {
  /** Block name. */
  readonly block: string;
  /** Heads. */
  readonly heads: number;
  /** d_k (the feature count when the spec has a feature expansion). */
  readonly headDim: number;
  /** d_v. */
  readonly valueDim: number;
  /** φ. */
  readonly featureMap: FeatureMap;
  /** ε of the denominator, or `null` for none. */
  readonly epsilon: number | null;
  /** γ_h per head, or `null` for none. */
  readonly decay: readonly number[] | null;
  /** Whether a gate `[B, H, N, d_k]` (operand 3) multiplies the state at every position. */
  readonly gated: boolean;
  /** Whether query i sees only keys j ≤ i. */
  readonly causal: boolean;
  /** Positions per chunk of the causal sweep. */
  readonly chunkSize: number;
  /** Whether the node reads a state before its first position (after the gate; with ε, two). */
  readonly withState: boolean;
}

/** The attributes of a `linearAttention.state` node, decoded. */
export interface LinearStateAttrs {
  /** Block name. */
  readonly block: string;
  /** Heads. */
  readonly heads: number;
  /** d_k. */
  readonly headDim: number;
  /** d_v. */
  readonly valueDim: number;
  /** φ. */
  readonly featureMap: FeatureMap;
  /** γ_h per head, or `null` for none. */
  readonly decay: readonly number[] | null;
  /** Whether a gate `[B, H, T, d_k]` follows the key (and value) operands. */
  readonly gated: boolean;
  /** `values`: S = Σ γ^(T−1−t) φ(k_t) v_tᵀ `[B, H, d_k, d_v]`; `keys`: z = Σ γ^(T−1−t) φ(k_t) `[B, H, d_k]`. */
  readonly part: 'values' | 'keys';
  /** Whether the node adds γ^T times a previous state (its last operand). */
  readonly withState: boolean;
}

/** Operand index of the first state operand of a `linearAttention` node (after q, k, v and the gate). */
export function stateOperandIndex(attrs: LinearAttentionAttrs): number {
  return attrs.gated ? 4 : 3;
}

/** The node attributes of a spec. */
export function linearAttentionAttrs(spec: LinearAttentionSpec, withState: boolean): Attrs {
  return {
    block: spec.name,
    heads: spec.heads,
    headDim: spec.featureDim,
    valueDim: spec.valueDim,
    featureMap: spec.featureMap.name,
    epsilon: spec.denominator === null ? null : spec.denominator.epsilon,
    decay: spec.decay === null ? null : [...spec.decay.rates],
    ...(spec.gated ? { gated: true } : {}),
    causal: spec.causal,
    chunkSize: spec.chunkSize,
    withState,
  };
}

/** The node attributes of a state node of `spec`. */
export function linearStateAttrs(
  spec: LinearAttentionSpec,
  part: 'values' | 'keys',
  withState: boolean,
): Attrs {
  return {
    block: spec.name,
    heads: spec.heads,
    headDim: spec.featureDim,
    valueDim: spec.valueDim,
    featureMap: spec.featureMap.name,
    decay: spec.decay === null ? null : [...spec.decay.rates],
    ...(spec.gated ? { gated: true } : {}),
    part,
    withState,
  };
}

/** Decodes `linearAttention` attributes (as built, or read from JSON); a `SpecError` names what is wrong. */
export function decodeLinearAttention(attrs: Attrs): LinearAttentionAttrs {
  const block = typeof attrs.block === 'string' ? attrs.block : 'linear-attention';
  const read = new AttrReader(attrs, block);
  return {
    block,
    heads: read.integer('heads'),
    headDim: read.integer('headDim'),
    valueDim: read.integer('valueDim'),
    featureMap: featureMapNamed(attrs.featureMap, block),
    epsilon: attrs.epsilon === null ? null : read.number('epsilon'),
    decay: read.decay(),
    gated: read.flag('gated'),
    causal: read.boolean('causal'),
    chunkSize: read.integer('chunkSize'),
    withState: read.boolean('withState'),
  };
}

/** Decodes `linearAttention.state` attributes. */
export function decodeLinearState(attrs: Attrs): LinearStateAttrs {
  const block = typeof attrs.block === 'string' ? attrs.block : 'linear-attention';
  const read = new AttrReader(attrs, block);
  if (attrs.part !== 'values' && attrs.part !== 'keys')
    throw new SpecError(`linear attention "${block}": state part must be "values" or "keys"`, {
      block,
      expected: 'values, keys',
      actual: String(attrs.part),
    });
  return {
    block,
    heads: read.integer('heads'),
    headDim: read.integer('headDim'),
    valueDim: read.integer('valueDim'),
    featureMap: featureMapNamed(attrs.featureMap, block),
    decay: read.decay(),
    gated: read.flag('gated'),
    part: attrs.part,
    withState: read.boolean('withState'),
  };
}

class AttrReader {
  constructor(
    private readonly attrs: Attrs,
    private readonly block: string,
  ) {}

  private fail(name: string, expected: string): SpecError {
    return new SpecError(`linear attention "${this.block}": attribute ${name} must be ${expected}`, {
      block: this.block,
      expected,
      actual: JSON.stringify(this.attrs[name] ?? null),
    });
  }

  integer(name: string): number {
    const value = this.attrs[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      throw this.fail(name, 'an integer >= 1');
    return value;
  }

  number(name: string): number {
    const value = this.attrs[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw this.fail(name, 'a finite number >= 0');
    return value;
  }

  boolean(name: string): boolean {
    const value = this.attrs[name];
    if (typeof value !== 'boolean') throw this.fail(name, 'a boolean');
    return value;
  }

  /** An optional boolean: absent is false. */
  flag(name: string): boolean {
    return this.attrs[name] === undefined ? false : this.boolean(name);
  }

  decay(): readonly number[] | null {
    const value = this.attrs.decay;
    if (value === null || value === undefined) return null;
    if (
      !Array.isArray(value) ||
      value.length !== this.attrs.heads ||
      !value.every((rate) => typeof rate === 'number' && rate > 0 && rate <= 1)
    )
      throw this.fail('decay', 'null or one rate in (0, 1] per head');
    return value as readonly number[];
  }
}

/**
 * Smallest gate value: gates are clamped to it before their logarithm (log 1e-30 ≈ −69), so a gate
 * of exactly 0 forgets the past (e^(−69) of it) without a −∞ − (−∞) in a chunk's differences.
 */
export const GATE_FLOOR = 1e-30;
