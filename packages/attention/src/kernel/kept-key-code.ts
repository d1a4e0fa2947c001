/** WGSL that runs `body` for every kept key of the current tile, with `s` its score. */
export function eachKeptKey(body: readonly string[]): string[] {
  return [
    'for (var j = 0; j < tile_keys; j++) {',
    '  if (((kept >> u32(j)) & 1u) == 0u) {',
    '    continue;',
    '  }',
    '  let s = scores[j];',
    ...body.map((line) => `  ${line}`),
    '}',
  ];
}
