import type { Mask } from '@weft/attention';
import type { Graph } from '@weft/ir';

/** Run-time data of a graph: inputs (`Int32Array` for ids and segments), parameters, dim bindings. */
export interface InstanceData {
  /** Input values by name. */
  readonly inputs: Readonly<Record<string, Float32Array | Int32Array>>;
  /** Parameter values by name. */
  readonly params: Readonly<Record<string, Float32Array>>;
  /** Symbolic dim bindings of a run. */
  readonly dims: Readonly<Record<string, number>>;
}

/** A graph to compile, with its data and what the views need to know about it. */
export interface PlaygroundInstance extends InstanceData {
  /** What it is, for the page's headline (`attention: 4 heads ...`, `zoo entry layer-norm`). */
  readonly title: string;
  /** The graph. */
  readonly graph: Graph;
  /** Bound on the normwise relative error of f32 kernels against float64, where one is stated. */
  readonly tolerance?: number;
  /** The attention mask and the sequence lengths it applies to (attention specs with a mask). */
  readonly mask?: { readonly mask: Mask; readonly queries: number; readonly keys: number };
  /**
   * A second graph whose output is the attention weights `[batch, heads, queries, keys]`: the same
   * spec applied to an identity value matrix (attention is linear in the values, so the output rows
   * are the weights). Attention specs only.
   */
  readonly weights?: { readonly graph: Graph } & InstanceData;
}
