import type { CacheLayout } from '../blocks/kv-cache.js';
import { LTE_ROUTER_CONTEXT } from '../blocks/lte-router-step.js';

/** The cache-relevant dims of one softmax attention layer. */
export interface AttentionCacheDims {
  /** Key heads (the per-KV-head policies keep one slot set per key head). */
  readonly kvHeads: number;
  /** Key width per head. */
  readonly headDim: number;
  /** Value heads. */
  readonly valueHeads: number;
  /** Value width per head. */
  readonly valueDim: number;
}

/** Elements of one softmax layer's step-program cache state and of its largest state tensor. */
export interface AttentionCacheElements {
  /** Every state tensor of the layer (one copy: the state input, not its next value). */
  readonly total: number;
  /** The largest of them (the keys or the values). */
  readonly largest: number;
}

/**
 * The elements one softmax attention layer keeps as state in the step program under `layout`
 * (right-aligned `maxSeq` slots when absent): keys and values of `layout.capacity` slots, plus
 * what each policy tracks per KV head and slot — heavy-hitter positions and scores, NAtS positions
 * and types, LTE positions, scores and its router's context of the last `LTE_ROUTER_CONTEXT`
 * tokens' keys and values. Ring and landmark caches keep keys and values only (a landmark cache's
 * capacity counts its landmark slots).
 */
export function attentionCacheElements(
  dims: AttentionCacheDims,
  maxSeq: number,
  layout: CacheLayout | undefined,
): AttentionCacheElements {
  const { kvHeads, headDim, valueHeads, valueDim } = dims;
  const slots = layout?.capacity ?? maxSeq;
  const keys = kvHeads * slots * headDim;
  const values = valueHeads * slots * valueDim;
  const tracked =
    layout !== undefined && 'kind' in layout && layout.kind !== 'landmark' ? 2 * kvHeads * slots : 0;
  // The LTE router reads concat(k, v) of width 2·headDim (its blocks require values as wide as keys).
  const routerContext =
    layout !== undefined && 'kind' in layout && layout.kind === 'lte'
      ? kvHeads * LTE_ROUTER_CONTEXT * 2 * headDim
      : 0;
  return { total: keys + values + tracked + routerContext, largest: Math.max(keys, values) };
}
