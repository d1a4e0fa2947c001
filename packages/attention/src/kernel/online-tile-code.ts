/**
 * WGSL name of the most negative finite f32, the running max before any key (shaders need not rely
 * on infinities): a module-scope `const` the attention template declares where it is read.
 */
export const LOWEST_F32 = 'lowest_f32';

/** WGSL that runs `body` for every kept key of the current tile, with `s` its score. */
export function eachKeptKey(body: readonly string[]): string[] {
  return [
    'for (var j = 0; j < tile.keys; j++) {',
    '  if (((kept >> u32(j)) & 1u) == 0u) {',
    '    continue;',
    '  }',
    '  let s = scores[j];',
    ...body.map((line) => `  ${line}`),
    '}',
  ];
}

/**
 * Readout lines an online-softmax tile step also runs (see `onlineReadouts`): `rescale` after
 * `correction` is known and before the running max and sums change, `key` after the key body.
 */
export interface ReadoutTileLines {
  readonly rescale: readonly string[];
  readonly key: readonly string[];
}

/**
 * WGSL of one online-softmax tile step: raises the running max `m_run` to the tile's largest kept
 * score and rescales the running `sums` and the accumulator `acc` by exp(old − new), so that every
 * exp(s − m_run) folded in afterwards shares one reference point; then runs `keyBody` per kept key.
 * Skipped entirely for a tile with no kept key.
 */
export function onlineSoftmaxTile(
  sums: readonly string[],
  valueDim: number,
  keyBody: readonly string[],
  readouts?: ReadoutTileLines,
): string[] {
  return [
    'if (kept != 0u) {',
    '  var tile_max = m_run;',
    '  for (var j = 0; j < tile.keys; j++) {',
    '    if (((kept >> u32(j)) & 1u) != 0u) {',
    '      tile_max = max(tile_max, scores[j]);',
    '    }',
    '  }',
    '  let correction = exp(m_run - tile_max);',
    ...(readouts?.rescale ?? []).map((line) => `  ${line}`),
    ...sums.map((sum) => `  ${sum} *= correction;`),
    `  for (var d = 0; d < ${valueDim}; d++) {`,
    '    acc[d] *= correction;',
    '  }',
    '  m_run = tile_max;',
    ...eachKeptKey([...keyBody, ...(readouts?.key ?? [])]).map((line) => `  ${line}`),
    '}',
  ];
}

/**
 * WGSL of one online-softmax step for a single key of score `s` (the split-keys kernel walks its
 * chunk key by key): a new running max rescales the running `sums` and the accumulator `acc`.
 */
export function onlineSoftmaxKey(sums: readonly string[], valueDim: number): string[] {
  return [
    'if (s > m_run) {',
    '  let correction = exp(m_run - s);',
    ...sums.map((sum) => `  ${sum} *= correction;`),
    `  for (var d = 0; d < ${valueDim}; d++) {`,
    '    acc[d] *= correction;',
    '  }',
    '  m_run = s;',
    '}',
  ];
}
