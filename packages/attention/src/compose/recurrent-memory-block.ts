import {
  add,
  broadcastTo,
  concat,
  matmul,
  mul,
  type Node,
  param,
  reduce,
  SpecError,
  sigmoid,
  slice,
  sub,
} from '@weft/ir';
import { layerNorm } from '@weft/norms';
import { applyAttention } from '../apply-attention.js';
import { causal, chunked } from '../masks/builtin-masks.js';
import { and } from '../masks/combine-masks.js';
import { attention } from '../spec/attention-spec.js';
import { rope } from '../spec/positions.js';
import { checkOptions, checkSize } from '../spec/validate.js';
import { mergeHeads, splitHeads } from './head-layout.js';

/** Options of {@link recurrentMemoryBlock}. */
export interface RecurrentMemoryOptions {
  /** Attention heads h; they split the model width d into h slices of d/h (even, for RoPE). */
  readonly heads: number;
  /** c: the local path attends causally inside chunks of c positions. */
  readonly chunk: number;
  /** Block name prefixing every parameter and kernel label. Default `memoryBlock`. */
  readonly name?: string;
}

/** What {@link recurrentMemoryBlock} builds. */
export interface RecurrentMemoryResult {
  /** y = x + (O_global + O_local + O_memory)·W_o, `[batch, N, d]`. */
  readonly output: Node;
  /** The memory bank for the next segment, `[batch, m, d]` (feed it back as the state input). */
  readonly memory: Node;
  /** c, the segment summary the update writes: the mean of y over the segment, `[batch, 1, d]`. */
  readonly summary: Node;
}

/**
 * **Stand-in** for the recurrent memory-augmented block of Kashyap 2025 (catalog paper 93: no
 * public code, and the catalog marks its equations to verify): the three attention paths and the
 * gated FIFO memory the paper describes, with the unspecified details chosen as follows and named
 * as such.
 *
 * For a segment `x` `[batch, N, d]` and the memory bank `memory` `[batch, m, d]` carried from the
 * previous call: h = LayerNorm(x) (pre-LN); Q, K, V = h·W_q, h·W_k, h·W_v split into heads;
 * - the global path: causal softmax attention with RoPE at the segment's positions 0…N−1;
 * - the local path: the same, restricted to chunks of `chunk` positions (block-diagonal causal);
 * - the memory path: the unrotated queries attend (softmax, no mask) to the memory's keys and
 *   values Mem·W_k, Mem·W_v (slots carry no position — a choice);
 * - the paths are summed (the paper: "sum or learned gate"), y = x + concat_heads(Σ)·W_o.
 *
 * Memory update (the catalog's Mem′ = g ⊙ Mem + (1 − g) ⊙ c with g = σ([Mem; c]·W_g + b_g), then a
 * FIFO push/pop): c is taken to be the mean of y over the segment (a choice), every slot is
 * blended with c through its gate, the oldest slot (index 0) is dropped and c appended as the
 * newest. The update is in the same graph, so a program that maps the `memory` output back to its
 * input (`compile(…, { state })`) carries the bank from call to call on the device.
 *
 * Parameters (`name` = `options.name`): `${name}.norm.gamma`, `.norm.beta` `[d]`;
 * `${name}.query`, `.key`, `.value`, `.output` `[d, d]` (x·W layout); `${name}.gate.weight`
 * `[2d, d]`, `${name}.gate.bias` `[d]`.
 *
 * @example
 * ```ts
 * const x = input('x', [1, 16, 32]);
 * const bank = input('memory', [1, 4, 32]);
 * const { output, memory } = recurrentMemoryBlock(x, bank, { heads: 4, chunk: 4 });
 * const graph = makeGraph({ y: output, memoryOut: memory }); // compile with state: { memory: 'memoryOut' }
 * ```
 * @throws SpecError naming the block and tensor when shapes do not fit or an option is invalid.
 */
export function recurrentMemoryBlock(
  x: Node,
  memory: Node,
  options: RecurrentMemoryOptions,
): RecurrentMemoryResult {
  const { name, heads, chunk, batch, width, slots } = checkMemoryBlock(x, memory, options);
  const headDim = width / heads;
  const weight = (part: string, rows = width) => param(`${name}.${part}`, [rows, width]);
  const h = layerNorm(x, { name: `${name}.norm` });
  const [query, key, value] = ['query', 'key', 'value'].map((part) =>
    splitHeads(matmul(h, weight(part)), heads),
  );
  const attend = (path: string, spec: Partial<Parameters<typeof attention>[0]>, kv: readonly [Node, Node]) =>
    applyAttention(attention({ heads, headDim, name: `${name}.${path}`, ...spec }), {
      query: query!,
      key: kv[0],
      value: kv[1],
    }).output;
  const global = attend('global', { positions: rope(), mask: causal() }, [key!, value!]);
  const local = attend('local', { positions: rope(), mask: and(causal(), chunked(chunk)) }, [key!, value!]);
  const memoryKeys = splitHeads(matmul(memory, weight('key')), heads);
  const memoryValues = splitHeads(matmul(memory, weight('value')), heads);
  const recalled = attend('memory', {}, [memoryKeys, memoryValues]);
  const mixed = mergeHeads(add(add(global, local), recalled));
  const output = add(x, matmul(mixed, weight('output')));

  const summary = reduce('mean', output, 1, { keepDims: true });
  const broadcastSummary = broadcastTo(summary, [batch, slots, width]);
  const gate = sigmoid(
    add(
      matmul(concat([memory, broadcastSummary], 2), weight('gate.weight', 2 * width)),
      param(`${name}.gate.bias`, [width]),
    ),
  );
  // g ⊙ Mem + (1 − g) ⊙ c = c + g ⊙ (Mem − c)
  const blended = add(broadcastSummary, mul(gate, sub(memory, broadcastSummary)));
  const kept = slice(blended, [0, 1, 0], [batch, slots, width]);
  return { output, memory: concat([kept, summary], 1), summary };
}

function checkMemoryBlock(x: Node, memory: Node, options: RecurrentMemoryOptions) {
  const builder = 'recurrentMemoryBlock';
  checkOptions(builder, options, ['heads', 'chunk', 'name'], true);
  const name = options.name ?? 'memoryBlock';
  if (typeof name !== 'string' || name === '')
    throw new SpecError(`${builder}: option "name" must be a non-empty string`, { actual: String(name) });
  const heads = checkSize(builder, 'option "heads"', options.heads);
  const chunk = checkSize(builder, 'option "chunk"', options.chunk);
  const rank3 = (node: Node, tensor: string) => {
    const shape = node.shape;
    if (shape.length !== 3 || !shape.every((size) => typeof size === 'number'))
      throw new SpecError(
        `${builder} "${name}": ${tensor} must be [batch, positions, width] with static sizes`,
        {
          block: name,
          tensor,
          expected: 'rank 3, static',
          actual: `[${shape.map(String).join(', ')}]`,
        },
      );
    return shape as [number, number, number];
  };
  const [batch, , width] = rank3(x, 'x');
  const [memoryBatch, slots, memoryWidth] = rank3(memory, 'memory');
  if (memoryBatch !== batch || memoryWidth !== width)
    throw new SpecError(`${builder} "${name}": memory must be [${batch}, slots, ${width}] to match x`, {
      block: name,
      tensor: 'memory',
      expected: `[${batch}, slots, ${width}]`,
      actual: `[${memory.shape.join(', ')}]`,
    });
  if (width % heads !== 0 || (width / heads) % 2 !== 0)
    throw new SpecError(
      `${builder} "${name}": heads must split the width ${width} into even head dims (RoPE)`,
      {
        block: name,
        tensor: 'x',
        dimension: 'width',
        expected: `a divisor of ${width} leaving an even head dim`,
        actual: heads,
      },
    );
  return { name, heads, chunk, batch, width, slots };
}
