import {
  add,
  constant,
  type Expr,
  gather,
  mapElements,
  type Node,
  param,
  reshape,
  SpecError,
  variable,
  withLabel,
} from '@weft/ir';
import { childPath } from './parameter-path.js';

/** Absolute positions added to the token embeddings (rotary and ALiBi positions live in attention). */
export type EmbeddingPositions =
  | {
      /** Learned table `${name}.positions` `[max, d]`. */ readonly kind: 'learned' /** Rows of the table. */;
      readonly max: number;
    }
  | { /** Fixed sinusoids of Vaswani et al. (no parameters). */ readonly kind: 'sinusoidal' };

/** Options of {@link tokenEmbedding}. */
export interface TokenEmbeddingOptions {
  /** Vocabulary size V. */
  readonly vocabSize: number;
  /** Embedding width d. */
  readonly dModel: number;
  /** Absolute positions to add; none by default. */
  readonly positions?: EmbeddingPositions;
  /**
   * Multiply the token embeddings by this factor (Gemma's `√d`: the factor is rounded to float32,
   * as Hugging Face rounds it to the model dtype). Default none.
   */
  readonly scale?: number;
  /** Position of each token, `[batch, seq]` i32: required with `positions`. */
  readonly positionIds?: Node;
  /** Block path. Default `embedding`. */
  readonly name?: string;
}

/**
 * Token embedding `E[tokens]` (one `gather` from `${name}.tokens` `[V, d]`), times `scale` when given, plus learned
 * (`${name}.positions[positionIds]`) or sinusoidal absolute positions
 * (`PE(p, 2i) = sin(p / 10000^(2i/d))`, `PE(p, 2i+1) = cos(p / 10000^(2i/d))`).
 *
 * Shapes: `tokens` `[batch, seq]` (i32) → `[batch, seq, d]`. Its nodes are labelled `name`.
 *
 * @example
 * ```ts
 * const seq = symbolicDim('seq', { max: 512 });
 * const tokens = input('tokens', [1, seq], 'i32');
 * const x = tokenEmbedding(tokens, { vocabSize: 256, dModel: 128 }); // param embedding.tokens: [256, 128]
 * ```
 */
export function tokenEmbedding(tokens: Node, options: TokenEmbeddingOptions): Node {
  return withLabel(options.name ?? 'embedding', () => buildTokenEmbedding(tokens, options));
}

function buildTokenEmbedding(tokens: Node, options: TokenEmbeddingOptions): Node {
  const name = options.name ?? 'embedding';
  const { vocabSize, dModel, positions } = options;
  const gathered = gather(param(childPath(name, 'tokens'), [vocabSize, dModel]), tokens);
  const embedded = options.scale === undefined ? gathered : scaled(gathered, options.scale, name);
  if (positions === undefined) return embedded;
  const ids = options.positionIds;
  if (ids === undefined) {
    throw new SpecError(`embedding "${name}": ${positions.kind} positions need positionIds`, {
      block: name,
      tensor: 'positionIds',
      expected: '[batch, seq] i32 positions',
    });
  }
  if (positions.kind === 'learned')
    return add(embedded, gather(param(childPath(name, 'positions'), [positions.max, dModel]), ids));
  return mapElements(
    [embedded, reshape(ids, [...ids.shape, 1])],
    variable('$0').add(sinusoid(variable('$1', 'i32'), variable('i2', 'i32'), dModel)),
  );
}

function scaled(x: Node, scale: number, name: string): Node {
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new SpecError(`embedding "${name}": option "scale" must be a positive number`, {
      block: name,
      expected: 'a finite number > 0',
      actual: scale,
    });
  }
  return mapElements([x], variable('$0').mul(constant(Math.fround(scale), 'f32')));
}

/** The sinusoidal position value at integer position `position` and channel `channel` of `width`. */
function sinusoid(position: Expr, channel: Expr, width: number): Expr {
  const pair = channel.div(constant(2, 'i32')).mul(constant(2, 'i32')).cast('f32');
  const angle = position.cast('f32').mul(pair.mul(-Math.log(10_000) / width).apply('exp'));
  return channel
    .mod(constant(2, 'i32'))
    .eq(constant(0, 'i32'))
    .select(angle.apply('sin'), angle.apply('cos'));
}
