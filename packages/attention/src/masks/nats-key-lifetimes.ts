import {
  argmax,
  constant,
  indexVariable,
  mapElements,
  type Node,
  SpecError,
  scan,
  select,
  variable,
} from '@weft/ir';
import { i32Size } from './mask-sizes.js';

/** NAtS token types, the argmax of the three type logits (this order). */
export const NATS_TYPES = { global: 0, local: 1, slidingWindow: 2 } as const;

/** A last query beyond any sequence: the key is never dropped. */
export const NEVER_EXPIRES = 2 ** 30;

/** Options of {@link natsKeyLifetimes}. */
export interface NatsKeyLifetimesOptions {
  /**
   * `w` (the NAtS kernel's `local_seq_max_length`, default 4): a SlidingWindow key j stays visible
   * to queries i ≤ j + w (the kernel's `i <= j + LOCAL_SEQ_MAX_LEN`, so w + 1 queries).
   */
  readonly window?: number;
}

/**
 * Neural Attention Search's token lifetimes (Deng & Lindauer 2025, catalog #11), as graph ops: the
 * type of key j is the argmax t_j of its three logits `typeLogits[b, h, j, :]` (Global, Local,
 * SlidingWindow); e_j = min{g ≥ j : t_g = Global} is a reverse cumulative min (the kernel's
 * reversed cum-max `end_seqs_idx`, a Global token its own end). The last query of key j is then
 * ∞ (Global), e_j (Local: visible up to and including the next Global token, the kernel's
 * `fill_indices >= i`; ∞ when none follows) or j + w (SlidingWindow). Returns `[batch, heads,
 * keys]` i32 for {@link keyLifetime}.
 *
 * @example
 * ```ts
 * const [query, key, value] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 256, 64]));
 * const lastQuery = natsKeyLifetimes(input('typeLogits', [1, 4, 256, 3]), { window: 4 }); // W_type x_j per head
 * const spec = attention({ heads: 4, headDim: 64, mask: and(causal(), keyLifetime(tensorRef('lastQuery', [1, 4, 256], 'i32'))) });
 * const { output } = applyAttention(spec, { query: query!, key: key!, value: value!, tensors: { lastQuery } });
 * ```
 */
export function natsKeyLifetimes(typeLogits: Node, options: NatsKeyLifetimesOptions = {}): Node {
  if (typeLogits.rank !== 4 || typeLogits.shape[3] !== 3)
    throw new SpecError('natsKeyLifetimes: the type logits must be [batch, heads, keys, 3]', {
      tensor: 'typeLogits',
      expected: '[batch, heads, keys, 3]',
      actual: `[${typeLogits.shape.join(', ')}]`,
    });
  const window = Math.min(i32Size(options.window ?? 4, 'natsKeyLifetimes', 'window', 0), NEVER_EXPIRES);
  const types = argmax(typeLogits, -1);
  const position = indexVariable('i2');
  const type = variable('$0', 'i32');
  const is = (name: keyof typeof NATS_TYPES) => type.eq(constant(NATS_TYPES[name], 'i32'));
  const never = constant(NEVER_EXPIRES, 'i32');
  const globalAt = mapElements([types], select(is('global'), position, never));
  const nextGlobal = scan(globalAt, { axis: -1, fn: 'min', reverse: true });
  return mapElements(
    [types, nextGlobal],
    select(
      is('global'),
      never,
      select(is('local'), variable('$1', 'i32'), position.add(constant(window, 'i32'))),
    ),
  );
}
