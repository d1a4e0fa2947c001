import type { HalfHooks, RenderedExprs } from '@weft/wgsl';
import type { RowCode } from './row-code.js';
import { type StagedRowReads, stagedRowReads } from './staged-row-reads.js';
import type { KernelFunctions } from './wgsl-functions.js';

/** What {@link tileFunctions} needs from the template. */
export interface TileContext {
  readonly functions: KernelFunctions;
  readonly rows: RowCode;
  /** The rendered block rule (empty, full), if any. */
  readonly blockRule: RenderedExprs | undefined;
  readonly keyBlock: number;
  /** vec4s per staged key row. */
  readonly keyVectors: number;
  /** vec4s per staged value row. */
  readonly valueVectors: number;
  readonly headDim: number;
  readonly valueDim: number;
  /** Invocations per workgroup (they stage a tile together). */
  readonly invocations: number;
  /**
   * Classify every key tile before the loop and visit only the non-empty ones (`list_tiles`, the
   * `tile_list` workgroup array): for block rules that read a table, whose empty tiles are many.
   */
  readonly listed: boolean;
  /** The f16 tier's hooks: the tiles hold `half4`s (plain `vec4<f32>` at f32 precision). */
  readonly half: HalfHooks;
  /**
   * The subgroup size when the workgroup's lanes read each staged key row together (`staged_key`
   * takes `lane`; see `stagedRowReads`); absent: each invocation reads the whole row.
   */
  readonly sharedReadLanes?: number | undefined;
  /**
   * Read K and V rows straight from their tensors instead of staging tiles (needs
   * `sharedReadLanes`, whose lanes split each row, and rows without QK norm, which need the whole
   * row first): `staged_key` takes the key index, `valueRowReads` gives the value reads, and no
   * workgroup tile exists.
   */
  readonly directReads?: boolean;
}

/** Calls of the key-tile helpers (see {@link tileFunctions}). */
export interface TileFunctions {
  /** `begin_tile(…)`: a `Tile` (after a barrier; classified by the block rule). */
  beginTile(): string;
  /** `load_tile(…)`: the next tile, its K and V rows staged (unless the tile is skipped). */
  loadTile(): string;
  /** `load_key_tile(…)`: the next tile, its K rows staged (unless the tile is skipped). */
  loadKeyTile(): string;
  /** `stage_value_tile(tile.k0, …)`: stages the V rows of the current tile (no barrier). */
  stageValueTile(): string;
  /** Name of the helper returning staged key row j as vec4s. */
  readonly stagedKey: string;
  /**
   * The call of `staged_key` for row `j` of the tile, key index `keyI` (with `lane` where the
   * subgroup reads rows together).
   */
  stagedKeyCall(j: string, keyI: string): string;
  /** The reads of value row `j` of the tile, key index `keyI`, as vec4s (`lane` in scope where shared). */
  valueRowReads(j: string, keyI: string): StagedRowReads;
  /** `list_tiles(…)`: lists the non-empty key tiles in `tile_list` and returns their count (listed kernels). */
  listTiles(): string;
}

/**
 * The helpers of the tiled kernel's loop over key tiles: `begin_tile` (bounds and block-rule class
 * of a tile), `stage_key_tile` / `stage_value_tile` (K and V rows into workgroup memory as
 * zero-padded vec4s; K rows are prepared: weighted-GQA mixing, QK norm, RoPE) and `staged_key`.
 */
export function tileFunctions(context: TileContext): TileFunctions {
  const { functions, rows, blockRule, keyBlock, keyVectors, valueVectors, headDim, valueDim } = context;
  const inv = context.invocations;
  const half = context.half;
  const rounded = half.precision !== 'f32';
  functions.add([
    '// Key tile bounds [k0, k1], its key count and its kind under the mask block rule',
    '// (0: every pair masked, the tile is skipped; 1: partial, the mask runs; 2: every pair kept).',
    'struct Tile {',
    '  k0: i32,',
    '  k1: i32,',
    '  keys: i32,',
    '  kind: u32,',
    '}',
  ]);
  // A listed kernel's tile comes as a `tile_list` entry: its index, and its kind in the high half.
  const tileParams: [string, string][] = context.listed ? [['entry', 'u32']] : [['tile_index', 'i32']];
  const beginTile = functions.define({
    name: 'begin_tile',
    comment:
      (context.listed
        ? 'Key tile `entry` of tile_list (index, kind << 16), once every invocation is done with the previous\none. '
        : 'Key tile tile_index, once every invocation is done with the previous one. ') +
      '(nk is a parameter of\nits own: the tile must be uniform, and Block may hold values the uniformity analysis does not trust.)',
    params: [...tileParams, ['local_index', 'u32'], ['nk', 'i32']],
    returns: 'Tile',
    body: [
      ...(context.listed ? ['let tile_index = i32(entry & 0xffffu);'] : []),
      `let tile_k0 = tile_index * ${keyBlock};`,
      `let tile_k1 = min(tile_k0 + ${keyBlock}, nk) - 1;`,
      'workgroupBarrier();',
      // Without a block rule every tile is partial: no classification, no extra barrier.
      ...(context.listed
        ? ['return Tile(tile_k0, tile_k1, tile_k1 - tile_k0 + 1, entry >> 16u);']
        : blockRule === undefined
          ? ['return Tile(tile_k0, tile_k1, tile_k1 - tile_k0 + 1, 1u);']
          : [
              'if (local_index == 0u) {',
              ...blockRule.lines.map((line) => `  ${line}`),
              `  let full = ${blockRule.values[1]};`,
              `  let empty = ${blockRule.values[0]};`,
              '  tile_class[0] = select(select(1u, 2u, full), 0u, empty);',
              '}',
              'return Tile(tile_k0, tile_k1, tile_k1 - tile_k0 + 1, workgroupUniformLoad(&tile_class[0]));',
            ]),
    ],
  });
  const listTiles =
    context.listed && blockRule !== undefined
      ? functions.define({
          name: 'list_tiles',
          comment:
            'Classifies every key tile with the block rule (invocation 0) and lists the non-empty ones in\n' +
            'tile_list, in order, as index | kind << 16 (1: partial, 2: full); returns their count.',
          params: [
            ['local_index', 'u32'],
            ['nk', 'i32'],
          ],
          returns: 'u32',
          body: [
            'if (local_index == 0u) {',
            '  var count = 0u;',
            `  let key_tiles = (nk + ${keyBlock - 1}) / ${keyBlock};`,
            '  for (var tile_index = 0; tile_index < key_tiles; tile_index++) {',
            `    let tile_k0 = tile_index * ${keyBlock};`,
            `    let tile_k1 = min(tile_k0 + ${keyBlock}, nk) - 1;`,
            ...blockRule.lines.map((line) => `    ${line}`),
            `    let full = ${blockRule.values[1]};`,
            `    if (!(${blockRule.values[0]})) {`,
            '      tile_list[count] = u32(tile_index) | (select(1u, 2u, full) << 16u);',
            '      count++;',
            '    }',
            '  }',
            '  tile_class[0] = count;',
            '}',
            'return workgroupUniformLoad(&tile_class[0]);',
          ],
        })
      : undefined;
  let keyElementCall: ((args?: Readonly<Record<string, string>>) => string) | undefined;
  // Defined on first use: a kernel with QK norm prepares whole key rows instead.
  const keyElement = () =>
    (keyElementCall ??= functions.define({
      name: 'key_element',
      comment: `Element d of key row key_i${rows.rotates ? ', rotated (RoPE)' : ''}.`,
      params: [
        ['key_i', 'i32'],
        ['d', 'i32'],
      ],
      returns: 'f32',
      body: [`return ${rows.rotated((index) => rows.kvLoad('key', 'key_i', index), 'd', 'key_i')};`],
    }));
  const valueElement = functions.define({
    name: 'value_element',
    comment: 'Element d of value row key_i.',
    params: [
      ['key_i', 'i32'],
      ['d', 'i32'],
    ],
    returns: 'f32',
    body: [`return ${rows.kvLoad('value', 'key_i', 'd')};`],
  });
  // One vec4 of a row, its lanes past `dim` zero.
  const packed = (target: string, dim: number, element: (d: string) => string): string[] => {
    const lane = (index: number) => (index === 0 ? 'd0' : `d0 + ${index}`);
    if (dim % 4 === 0) {
      return [
        `${target} = vec4<f32>(`,
        ...Array.from({ length: 4 }, (_, index) => `  ${element(lane(index))},`),
        ');',
      ];
    }
    return Array.from({ length: 4 }, (_, index) => [
      `if (${lane(index)} < ${dim}) {`,
      `  ${target}[${index}] = ${element(lane(index))};`,
      '}',
    ]).flat();
  };
  // With QK norm every key row needs its statistic first: one invocation prepares a whole row.
  const keyBody = rows.needsWholeRow
    ? [
        `for (var j = i32(local_index); j < ${keyBlock}; j += ${inv}) {`,
        '  let key_i = tile_k0 + j;',
        `  for (var v = 0; v < ${keyVectors}; v++) {`,
        `    key_tile[j * ${keyVectors} + v] = ${half.half4}(0.0);`,
        '  }',
        '  if (key_i < nk) {',
        ...(rounded
          ? roundedKeyRow(rows, headDim, keyVectors, half)
          : rows.fillRow(
              'key',
              (index) => rows.kvLoad('key', 'key_i', index),
              'key_i',
              (d) => `key_tile[j * ${keyVectors} + ${d} / 4][${d} % 4]`,
            )
        ).map((line) => `    ${line}`),
        '  }',
        '}',
      ]
    : [
        `for (var index = i32(local_index); index < ${keyBlock * keyVectors}; index += ${inv}) {`,
        `  let key_i = tile_k0 + index / ${keyVectors};`,
        `  let d0 = (index % ${keyVectors}) * 4;`,
        '  var packed = vec4<f32>(0.0);',
        '  if (key_i < nk) {',
        ...packed('packed', headDim, (d) => keyElement()({ d })).map((line) => `    ${line}`),
        '  }',
        `  key_tile[index] = ${half.toHalf4('packed')};`,
        '}',
      ];
  const direct = context.directReads === true;
  const stageKeys = direct
    ? undefined
    : functions.define({
        name: 'stage_key_tile',
        comment: `Stages the K rows of the tile from tile_k0 in key_tile (${keyVectors} vec4s per key, prepared).`,
        params: [
          ['tile_k0', 'i32'],
          ['local_index', 'u32'],
        ],
        body: keyBody,
      });
  const stageValues = direct
    ? undefined
    : functions.define({
        name: 'stage_value_tile',
        comment: `Stages the V rows of the tile from tile_k0 in value_tile (${valueVectors} vec4s per key).`,
        params: [
          ['tile_k0', 'i32'],
          ['local_index', 'u32'],
        ],
        body: [
          `for (var index = i32(local_index); index < ${keyBlock * valueVectors}; index += ${inv}) {`,
          `  let key_i = tile_k0 + index / ${valueVectors};`,
          `  let d0 = (index % ${valueVectors}) * 4;`,
          '  var loaded = vec4<f32>(0.0);',
          '  if (key_i < nk) {',
          ...packed('loaded', valueDim, (d) => valueElement({ d })).map((line) => `    ${line}`),
          '  }',
          `  value_tile[index] = ${half.toHalf4('loaded')};`,
          '}',
        ],
      });
  const keyArray = `array<vec4<f32>, ${keyVectors}>`;
  const lanes = context.sharedReadLanes;
  const laneParam: [string, string][] = lanes === undefined ? [] : [['lane', 'u32']];
  // Direct reads: one vec4 of a row from its tensor, rounded as a staged tile would be.
  const rowVector = (name: string, dim: number, element: (d: string) => string) =>
    functions.define({
      name: `${name}_vector`,
      comment: `The vec4 of ${name} row key_i from element d0 (zero past the head dim).`,
      params: [
        ['key_i', 'i32'],
        ['d0', 'i32'],
      ],
      returns: 'vec4<f32>',
      body: [
        // Lanes past the dim read its last element and keep zero (a select, no branch: the helper is
        // inlined at every read of a fold).
        `let packed = vec4<f32>(${Array.from({ length: 4 }, (_, index) => {
          const d = index === 0 ? 'd0' : `d0 + ${index}`;
          return dim % 4 === 0
            ? element(d)
            : `select(0.0, ${element(`min(${d}, ${dim - 1})`)}, ${d} < ${dim})`;
        }).join(', ')});`,
        `return ${rounded ? half.widen4(half.toHalf4('packed')) : 'packed'};`,
      ],
    });
  const directRead =
    (vector: (args: Readonly<Record<string, string>>) => string, vectors: number, name: string) =>
    (keyI: string): StagedRowReads => {
      const parts = Math.ceil(vectors / lanes!);
      return {
        lines: [
          // Keys past the end read the last row (in bounds; they are not kept).
          `let ${name}_at = min(${keyI}, nk - 1);`,
          ...Array.from({ length: parts }, (_, part) => {
            const chunk = part === 0 ? 'i32(lane)' : `i32(lane) + ${part * lanes!}`;
            const index = (part + 1) * lanes! > vectors ? `min(${chunk}, ${vectors - 1})` : chunk;
            return `let ${name}_part_${part} = ${vector({ key_i: `${name}_at`, d0: `(${index}) * 4` })};`;
          }),
        ],
        vector: (index) =>
          `subgroupBroadcast(${name}_part_${Math.floor(index / lanes!)}, ${index % lanes!}u)`,
      };
    };
  const keyVector = direct ? rowVector('key', headDim, (d) => keyElement()({ d })) : undefined;
  const valueVector = direct ? rowVector('value', valueDim, (d) => valueElement({ d })) : undefined;
  const keyRead = direct
    ? directRead(keyVector!, keyVectors, 'key')('key_i')
    : stagedRowReads('key_tile', 'j', keyVectors, 'key', (value) => half.widen4(value), lanes);
  const stagedKeyFunction = functions.define({
    name: 'staged_key',
    comment: direct
      ? `Key row key_i, read from its tensor by the ${lanes} lanes of the subgroup together.`
      : lanes === undefined
        ? 'Key row j of the staged tile.'
        : `Key row j of the staged tile, read by the ${lanes} lanes of the subgroup together.`,
    params: [[direct ? 'key_i' : 'j', 'i32'], ...laneParam],
    returns: keyArray,
    body: [
      ...keyRead.lines,
      `return ${keyArray}(`,
      ...Array.from({ length: keyVectors }, (_, vector) => `  ${keyRead.vector(vector)},`),
      ');',
    ],
  });
  // A listed tile is never empty: it is staged unconditionally (its entry, read from tile_list by
  // every invocation, is uniform in value but not to the uniformity analysis: no branch may guard
  // the barrier on it).
  const classified = blockRule !== undefined && !context.listed;
  const load = (values: boolean) =>
    direct
      ? () => beginTile()
      : functions.define({
          name: values ? 'load_tile' : 'load_key_tile',
          comment: context.listed
            ? `Key tile entry with its K${values ? ' and V' : ''} rows staged (a listed tile is never empty).`
            : `Key tile tile_index with its K${values ? ' and V' : ''} rows staged (unless every pair is masked).`,
          params: [...tileParams, ['local_index', 'u32'], ['nk', 'i32']],
          returns: 'Tile',
          body: [
            `let tile = ${beginTile()};`,
            ...(classified ? ['if (tile.kind != 0u) {'] : []),
            ...[
              `${stageKeys!({ tile_k0: 'tile.k0' })};`,
              ...(values ? [`${stageValues!({ tile_k0: 'tile.k0' })};`] : []),
              'workgroupBarrier();',
            ].map((line) => (classified ? `  ${line}` : line)),
            ...(classified ? ['}'] : []),
            'return tile;',
          ],
        });
  let loadTile: ReturnType<typeof load> | undefined;
  let loadKeyTile: ReturnType<typeof load> | undefined;
  return {
    beginTile: () => beginTile(),
    loadTile: () => {
      loadTile ??= load(true);
      return loadTile();
    },
    loadKeyTile: () => {
      loadKeyTile ??= load(false);
      return loadKeyTile();
    },
    stageValueTile: () => {
      if (stageValues === undefined) throw new Error('stage_value_tile: the kernel reads its rows directly');
      return stageValues({ tile_k0: 'tile.k0' });
    },
    stagedKey: 'staged_key',
    stagedKeyCall: (j, keyI) => stagedKeyFunction(direct ? { key_i: keyI } : { j }),
    valueRowReads: (j, keyI) =>
      direct
        ? directRead(valueVector!, valueVectors, 'value')(keyI)
        : stagedRowReads('value_tile', j, valueVectors, 'value', (value) => half.widen4(value), lanes),
    listTiles: () => {
      if (listTiles === undefined) throw new Error('list_tiles: the kernel does not list its tiles');
      return listTiles();
    },
  };
}

/**
 * The f16 tier's whole-row key staging (QK norm): the prepared row in f32, then stored as rounded
 * vec4s (a `half4` lane cannot take an f32).
 */
function roundedKeyRow(rows: RowCode, headDim: number, keyVectors: number, half: HalfHooks): string[] {
  const lane = (d: number) => (d < headDim ? `key_row[${d}]` : '0.0');
  return [
    `var key_row: array<f32, ${headDim}>;`,
    ...rows.fillRow(
      'key',
      (index) => rows.kvLoad('key', 'key_i', index),
      'key_i',
      (d) => `key_row[${d}]`,
    ),
    ...Array.from(
      { length: keyVectors },
      (_, v) =>
        `key_tile[j * ${keyVectors} + ${v}] = ${half.toHalf4(`vec4<f32>(${[0, 1, 2, 3].map((l) => lane(4 * v + l)).join(', ')})`)};`,
    ),
  ];
}
