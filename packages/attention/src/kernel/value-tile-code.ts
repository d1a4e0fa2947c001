/**
 * WGSL adding `weight` times value row `j` of the staged `value_tile` to the f32 array `target`:
 * a call of the `accumulate_value_tile` helper (see {@link accumulateValueTileFunction}).
 */
export function accumulateValueTile(weight: string, _valueDim: number, target = 'acc'): string[] {
  return [`accumulate_value_tile(&${target}, j, ${weight});`];
}

/**
 * The `accumulate_value_tile(target, j, weight)` helper, unrolled over the value dim. On SwiftShader
 * every dynamically indexed access is a per-lane gather: vec4 reads made the whole kernel about
 * 1.2× faster than unrolled scalar reads (MHA N=512, d=32), and unrolling with constant indices into
 * `target` (kept in registers) about 1.8× faster than a loop over a dynamic `d`.
 */
export function accumulateValueTileFunction(
  valueDim: number,
  widen4: (value: string) => string = (value) => value,
): string[] {
  const vectors = Math.ceil(valueDim / 4);
  return [
    '// sums += weight · value row j of the staged tile.',
    `fn accumulate_value_tile(sums: ptr<function, array<f32, ${valueDim}>>, j: i32, weight: f32) {`,
    ...(vectors === 1 ? [] : [`  let value_base = j * ${vectors};`]),
    ...Array.from({ length: vectors }, (_, vector) => [
      `  let value_${vector} = ${widen4(`value_tile[${vectors === 1 ? 'j' : vector === 0 ? 'value_base' : `value_base + ${vector}`}]`)};`,
      ...Array.from({ length: Math.min(4, valueDim - 4 * vector) }, (_, lane) => {
        const d = 4 * vector + lane;
        return `  (*sums)[${d}] += weight * value_${vector}[${lane}];`;
      }),
    ]).flat(),
    '}',
  ];
}

/**
 * WGSL declaring `result`, the squared distance ‖x − v_j‖² between a row held as vec4s
 * `${row}_0`, `${row}_1`, … (zero-padded like the tile) and value row `j` of the staged
 * `value_tile`: one vec4 difference and dot per 4 dims, padding lanes cancel.
 */
export function valueTileSquaredDistance(
  row: string,
  valueDim: number,
  result: string,
  widen4: (value: string) => string = (value) => value,
): string[] {
  const vectors = Math.ceil(valueDim / 4);
  return [
    `var ${result} = 0.0;`,
    '{',
    `  let distance_base = j * ${vectors};`,
    ...Array.from({ length: vectors }, (_, vector) => [
      `  let difference_${vector} = ${widen4(`value_tile[distance_base${vector === 0 ? '' : ` + ${vector}`}]`)} - ${row}_${vector};`,
      `  ${result} += dot(difference_${vector}, difference_${vector});`,
    ]).flat(),
    '}',
  ];
}
