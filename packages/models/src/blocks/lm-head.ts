import { matmul, type Node, param, withLabel } from '@weft/ir';
import { staticDimOf } from './static-dim.js';

/** Options of {@link lmHead}. */
export interface LmHeadOptions {
  /** Vocabulary size V. */
  readonly vocabSize: number;
  /** Reuse the token embedding `embedding.tokens` as the output matrix (Press & Wolf 2017). Default false. */
  readonly tied?: boolean;
  /** Name of the embedding table when tied. Default `embedding.tokens`. */
  readonly embeddingName?: string;
  /** Name of the head's own matrix when untied. Default `head.weight`. */
  readonly name?: string;
}

/**
 * The language-model head: logits `x Wᵀ` with `W` `[V, d]` stored like an embedding table (and
 * like PyTorch's `lm_head.weight`), either its own `head.weight` or the tied token embedding.
 * The logits node is labelled `lmHead`.
 *
 * Shapes: `x` `[..., d]` → `[..., V]`.
 *
 * @example
 * ```ts
 * const hidden = input('hidden', [1, 16, 128]);
 * const logits = lmHead(hidden, { vocabSize: 256, tied: true }); // reads the embedding.tokens parameter
 * ```
 */
export function lmHead(x: Node, options: LmHeadOptions): Node {
  const width = staticDimOf(x, -1, 'lm head');
  const weightName =
    options.tied === true ? (options.embeddingName ?? 'embedding.tokens') : (options.name ?? 'head.weight');
  return withLabel('lmHead', () =>
    matmul(x, param(weightName, [options.vocabSize, width]), { transposeB: true }),
  );
}
