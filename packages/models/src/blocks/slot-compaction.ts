import {
  concat,
  constant,
  cumsum,
  dimExpr,
  full,
  gather,
  mapElements,
  type Node,
  reshape,
  sum,
  variable,
  where,
} from '@weft/ir';

/**
 * A step's candidate slots of a per-KV-head cache: the retained slots `[B, Hkv, capacity(, d)]`
 * followed by `stepTokens` fresh slots holding the step's `seq` rows (positions `past + i`, tagged
 * `past + i + 1`). Fresh slots past `seq` repeat the last row and are tagged empty (0). Static
 * shapes: every step reads `capacity + stepTokens` slots. `perToken` are further per-slot tensors
 * `[B, Hkv, capacity]` with their fresh values `[B, Hkv, seq]` (padded the same way).
 */
export function appendFreshSlots(
  retained: { readonly keys: Node; readonly values: Node; readonly positions: Node },
  fresh: { readonly keys: Node; readonly values: Node },
  stepTokens: number,
  past: Node,
  perToken: Readonly<Record<string, { readonly retained: Node; readonly fresh: Node }>> = {},
): {
  readonly keys: Node;
  readonly values: Node;
  readonly positions: Node;
  readonly perToken: Record<string, Node>;
} {
  const seq = dimExpr(fresh.keys.shape[2]!);
  const [batch, kvHeads] = retained.positions.shape as [number, number];
  const slots = full(0, [stepTokens], 'i32');
  const freshRow = mapElements([slots], variable('i0', 'i32').min(seq.sub(constant(1, 'i32'))));
  const padded = (rows: Node) => gather(rows, freshRow, 2);
  const tags = mapElements(
    [full(0, [batch, kvHeads, stepTokens], 'i32'), reshape(past, [1, 1, 1])],
    variable('i2', 'i32')
      .lt(seq)
      .select(variable('$1', 'i32').add(variable('i2', 'i32')).add(constant(1, 'i32')), constant(0, 'i32')),
  );
  return {
    keys: concat([retained.keys, padded(fresh.keys)], 2),
    values: concat([retained.values, padded(fresh.values)], 2),
    positions: concat([retained.positions, tags], 2),
    perToken: Object.fromEntries(
      Object.entries(perToken).map(([name, parts]) => [
        name,
        concat([parts.retained, padded(parts.fresh)], 2),
      ]),
    ),
  };
}

/**
 * Compaction of per-KV-head slots on the device: `keep` `[B, Hkv, slots]` (f32 0/1) marks the slots
 * that stay; they move down to slots `0..kept − 1` in their order, the first `capacity` of them
 * (later kept slots past the capacity are dropped), and the rest reads empty: `perSlot` tensors
 * `[B, Hkv, slots(, d)]` come back `[B, Hkv, capacity(, d)]`, those named in `zeroed` 0 in empty
 * slots. Destinations are counts over the slots (a cumulative sum, no sort, no host round trip).
 */
export function compactSlots<T extends { readonly [name in keyof T]: Node }>(
  perSlot: T,
  keep: Node,
  capacity: number,
  zeroed: readonly (keyof T)[],
): T {
  const [batch, kvHeads, slots] = keep.shape as [number, number, number];
  // Kept slot s goes to slot incl_s − 1; slot d takes the source #{s : incl_s ≤ d} (= slots when empty).
  const inclusive = cumsum(keep, 2);
  const source = sum(
    mapElements(
      [reshape(inclusive, [batch, kvHeads, 1, slots]), full(0, [batch, kvHeads, capacity, 1])],
      variable('$0').le(variable('i2', 'i32').cast('f32')).select(1, 0).cast('f32'),
    ),
    3,
  );
  // One flat gather per tensor: slot d of row (b, g) reads flat row (b·Hkv + g)·slots + source.
  const flatIndex = mapElements(
    [source],
    variable('i0', 'i32')
      .mul(constant(kvHeads, 'i32'))
      .add(variable('i1', 'i32'))
      .mul(constant(slots, 'i32'))
      .add(
        variable('$0')
          .cast('i32')
          .min(constant(slots - 1, 'i32')),
      ),
  );
  const present = mapElements([source], variable('$0').lt(constant(slots, 'f32')));
  const rows = batch * kvHeads * slots;
  const take = (tensor: Node) => {
    const width = tensor.shape[3];
    const flat = reshape(tensor, width === undefined ? [rows] : [rows, width]);
    return gather(flat, flatIndex, 0);
  };
  return Object.fromEntries(
    (Object.entries(perSlot) as [keyof T & string, Node][]).map(([name, tensor]) => [
      name,
      zeroed.includes(name) ? where(present, take(tensor), 0) : take(tensor),
    ]),
  ) as unknown as T;
}
