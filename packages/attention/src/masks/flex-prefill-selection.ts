import { type Node, read, SpecError } from '@weft/ir';
import { ATTENTION_INDICES as I } from '../spec/attention-variables.js';
import { checkOptions, checkSize, describeValue } from '../spec/validate.js';
import { BLOCK_TABLE_MULTIPLE, blockTableMask } from './block-table.js';
import {
  buildFlexPrefillTables as buildTables,
  type FlexPrefillBlockTables,
  type FlexPrefillSettings,
} from './flex-prefill-tables.js';
import type { Mask } from './mask.js';

/** Options of {@link flexPrefillSelection}. */
export interface FlexPrefillOptions {
  /** Positions per block (the paper's 128): a multiple of {@link BLOCK_TABLE_MULTIPLE}. */
  readonly blockSize: number;
  /** γ in (0, 1]: the attention mass the selected columns, diagonals or block pairs cover (paper 0.9–0.95). */
  readonly gamma: number;
  /** τ ≥ 0: heads whose √JSD between estimated and true block distribution is below τ go query-aware (default 0.1). */
  readonly tau?: number;
  /** Fewest tokens of vertical and of slash blocks, rounded up to blocks (default 1: one block). */
  readonly minBudget?: number;
  /** Most tokens of vertical and of slash blocks, rounded up to blocks (default: every block). */
  readonly maxBudget?: number;
  /** Name the table is bound under (`${name}.table`). Default `flexPrefill`. */
  readonly name?: string;
}

/**
 * FlexPrefill's query-aware sparse pattern (Lai et al., "FlexPrefill: A Context-Aware Sparse
 * Attention Mechanism for Efficient Long-Sequence Inference", ICLR 2025, catalog #105) as an
 * attention mask: per head, the last query block's attention picks vertical (column) and slash
 * (diagonal) blocks covering γ of its mass, and a head whose block-pooled estimate of that
 * attention is close to the truth (√JSD < τ) adds the block pairs covering γ of the block-pooled
 * attention of every query block (see `buildFlexPrefillTables` for the formulas). The table
 * is built on the device by graph ops before the attention kernel, from the attention's own query
 * and key; the fused kernel lists the selected key tiles of each query block and visits only those.
 * Combine with `causal()`. Self-attention prefill, N a multiple of the block size.
 *
 * @example
 * ```ts
 * const [q, k, v] = ['q', 'k', 'v'].map((name) => input(name, [1, 4, 1024, 64]));
 * const mask = and(causal(), flexPrefillSelection({ blockSize: 64, gamma: 0.9, tau: 0.1 }));
 * const { output } = applyAttention(attention({ heads: 4, headDim: 64, mask }), { query: q!, key: k!, value: v! });
 * ```
 */
export function flexPrefillSelection(options: FlexPrefillOptions): Mask {
  const { settings, name } = checkFlexPrefillOptions(options);
  const tableName = `${name}.table`;
  return blockTableMask(
    settings.size,
    { name: tableName, at: (row, column) => read(tableName, [I.b, I.h, row, column], 'i32') },
    undefined,
    {
      derived: [
        {
          name: tableName,
          build: (inputs: { query: Node; key: Node }) =>
            buildTables(inputs.query, inputs.key, settings).table,
        },
      ],
    },
  );
}

/**
 * The graph ops of {@link flexPrefillSelection}: the block table `[batch, heads, blocks, blocks]`,
 * each head's √JSD and its pattern choice, from `query` `[batch, heads, N, d]` and `key`
 * `[batch, kvHeads, N, d]`. For a table bound by hand (`blockTable`), or read back to inspect.
 *
 * @example
 * ```ts
 * const q = input('q', [1, 4, 1024, 64]);
 * const k = input('k', [1, 4, 1024, 64]);
 * const { table, queryAware } = flexPrefillBlockTables(q, k, { blockSize: 64, gamma: 0.9 });
 * ```
 */
export function flexPrefillBlockTables(
  query: Node,
  key: Node,
  options: FlexPrefillOptions,
): FlexPrefillBlockTables {
  return buildTables(query, key, checkFlexPrefillOptions(options).settings);
}

function checkFlexPrefillOptions(options: FlexPrefillOptions): {
  settings: FlexPrefillSettings;
  name: string;
} {
  checkOptions(
    'flexPrefillSelection',
    options,
    ['blockSize', 'gamma', 'tau', 'minBudget', 'maxBudget', 'name'],
    true,
  );
  const size = checkSize('flexPrefillSelection', 'option "blockSize"', options.blockSize);
  if (size % BLOCK_TABLE_MULTIPLE !== 0)
    throw new SpecError(
      `flexPrefillSelection: blockSize must be a multiple of the attention kernel's tile (${BLOCK_TABLE_MULTIPLE})`,
      { expected: `a multiple of ${BLOCK_TABLE_MULTIPLE}`, actual: size },
    );
  const gamma = options.gamma;
  if (typeof gamma !== 'number' || !(gamma > 0 && gamma <= 1))
    throw new SpecError('flexPrefillSelection: option "gamma" must be a number in (0, 1]', {
      expected: '0 < gamma <= 1',
      actual: describeValue(gamma),
    });
  const tau = options.tau ?? 0.1;
  if (typeof tau !== 'number' || !(tau >= 0) || !Number.isFinite(tau))
    throw new SpecError('flexPrefillSelection: option "tau" must be a finite number >= 0', {
      expected: 'tau >= 0',
      actual: describeValue(tau),
    });
  const minBudget =
    options.minBudget === undefined
      ? 1
      : checkSize('flexPrefillSelection', 'option "minBudget"', options.minBudget);
  const maxBudget =
    options.maxBudget === undefined
      ? Number.POSITIVE_INFINITY
      : checkSize('flexPrefillSelection', 'option "maxBudget"', options.maxBudget);
  const name = options.name ?? 'flexPrefill';
  if (typeof name !== 'string' || name === '')
    throw new SpecError('flexPrefillSelection: option "name" must be a non-empty string', {
      actual: describeValue(name),
    });
  return {
    settings: {
      size,
      gamma,
      tau,
      minBlocks: Math.ceil(minBudget / size),
      maxBlocks:
        maxBudget === Number.POSITIVE_INFINITY ? Number.MAX_SAFE_INTEGER : Math.ceil(maxBudget / size),
    },
    name,
  };
}
