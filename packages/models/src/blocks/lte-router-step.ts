import { type LteRouterWeights, lteRouterLogits } from '@weft/attention';
import {
  concat,
  constant,
  dimExpr,
  full,
  gather,
  mapElements,
  type Node,
  param,
  reshape,
  SpecError,
  variable,
} from '@weft/ir';
import { sliceAxis } from './slice-axis.js';

/** How far LTE's router reads on each side: three convolutions of kernel 3 reach t ± 3. */
export const LTE_ROUTER_REACH = 3;

/**
 * Tokens before a step that the step's router reads again: the last {@link LTE_ROUTER_REACH}
 * tokens' logits become final once their successors arrive, and they read as many tokens before.
 */
export const LTE_ROUTER_CONTEXT = 2 * LTE_ROUTER_REACH;

/**
 * The router weights of one attention layer as model parameters under `path` (e.g.
 * `layers.0.attn.lte`): `conv1|conv2|conv3|projection` `.weight` and `.bias`, shaped as
 * {@link LteRouterWeights} says for `kvHeads` heads of dim `headDim` (a multiple of 4).
 *
 * @example
 * ```ts
 * const router = lteRouterParameters('layers.0.attn.lte', 2, 16); // conv1.weight [32, 32, 3], …
 * ```
 */
export function lteRouterParameters(path: string, kvHeads: number, headDim: number): LteRouterWeights {
  if (!(Number.isSafeInteger(headDim) && headDim >= 4 && headDim % 4 === 0)) {
    throw new SpecError(
      `${path}: the LTE router halves the channels twice: headDim must be a multiple of 4`,
      {
        block: path,
        expected: 'a multiple of 4',
        actual: headDim,
      },
    );
  }
  const conv = (name: string, out: number, inPerGroup: number, taps: number) => ({
    weight: param(`${path}.${name}.weight`, [out, inPerGroup, taps]),
    bias: param(`${path}.${name}.bias`, [out]),
  });
  return {
    conv1: conv('conv1', kvHeads * headDim, 2 * headDim, 3),
    conv2: conv('conv2', (kvHeads * headDim) / 2, headDim, 3),
    conv3: conv('conv3', (kvHeads * headDim) / 4, headDim / 2, 3),
    projection: conv('projection', kvHeads, headDim / 4, 1),
  };
}

/** What {@link lteStepRouterLogits} computes for a step. */
export interface LteStepLogits {
  /** Logits of the step's tokens `[B, Hkv, stepTokens]` (rows past `seq` are padding). */
  readonly fresh: Node;
  /** Final logits of positions `past − 3 … past − 1` `[B, Hkv, 3]` (their successors now exist). */
  readonly revised: Node;
  /** The next step's context: concat(k, v) of the last 6 positions `[B, Hkv, 6, 2d]` (0 before position 0). */
  readonly context: Node;
}

/**
 * LTE's router for one step, on the device: the features concat(k, v) (keys before QK norm and
 * RoPE) of the step's tokens after those of the 6 positions before it (`context`, a state), zero
 * outside positions `0 … past + seq − 1` at every layer, as the whole sequence's `'same'` padding
 * is. The step's last 3 tokens read no successors yet (their logits are provisional, read at the
 * next step again); the 3 positions before the step get their final logits.
 */
export function lteStepRouterLogits(
  context: Node,
  fresh: { readonly key: Node; readonly value: Node },
  weights: LteRouterWeights,
  past: Node,
  stepTokens: number,
): LteStepLogits {
  const seq = dimExpr(fresh.key.shape[2]!);
  const dim = fresh.key.shape[3] as number;
  // Fresh rows padded to `stepTokens` (past `seq` they repeat the last row, and read 0 below).
  const rows = mapElements(
    [full(0, [stepTokens], 'i32')],
    variable('i0', 'i32').min(seq.sub(constant(1, 'i32'))),
  );
  const features = concat([context, gather(concat([fresh.key, fresh.value], 3), rows, 2)], 2);
  const columns = LTE_ROUTER_CONTEXT + stepTokens;
  // Column c holds position past − 6 + c.
  const position = variable('$1', 'i32').add(variable('i2', 'i32')).sub(constant(LTE_ROUTER_CONTEXT, 'i32'));
  const valid = mapElements(
    [full(0, [1, 1, columns], 'i32'), reshape(past, [1, 1, 1])],
    position
      .ge(constant(0, 'i32'))
      .and(position.lt(variable('$1', 'i32').add(seq)))
      .select(1, 0)
      .cast('f32'),
  );
  const logits = lteRouterLogits(
    sliceAxis(features, 3, 0, dim),
    sliceAxis(features, 3, dim, 2 * dim),
    weights,
    { valid },
  );
  // The last 6 positions sit in columns seq … seq + 5.
  const tailColumns = mapElements([full(0, [LTE_ROUTER_CONTEXT], 'i32')], variable('i0', 'i32').add(seq));
  return {
    fresh: sliceAxis(logits, 2, LTE_ROUTER_CONTEXT, columns),
    revised: sliceAxis(logits, 2, LTE_ROUTER_REACH, LTE_ROUTER_CONTEXT),
    context: gather(features, tailColumns, 2),
  };
}

/**
 * The retained slots' logits with those of positions `past − 3 … past − 1` replaced by their final
 * values `revised` `[B, Hkv, 3]` (slots tagged position + 1; empty slots keep theirs).
 */
export function reviseRecentLogits(positions: Node, scores: Node, revised: Node, past: Node): Node {
  const offset = variable('$0', 'i32')
    .sub(variable('$2', 'i32'))
    .add(constant(LTE_ROUTER_REACH - 1, 'i32'));
  let expression = variable('$1');
  for (let m = LTE_ROUTER_REACH - 1; m >= 0; m--) {
    expression = offset
      .eq(constant(m, 'i32'))
      .and(variable('$0', 'i32').gt(constant(0, 'i32')))
      .select(variable(`$${3 + m}`), expression);
  }
  const parts = Array.from({ length: LTE_ROUTER_REACH }, (_, m) => sliceAxis(revised, 2, m, m + 1));
  return mapElements([positions, scores, reshape(past, [1, 1, 1]), ...parts], expression);
}
