/**
 * WGSL adding `weight` times value row `j` of the staged `value_tile` (`ceil(valueDim / 4)` vec4s
 * per key, zero-padded) to the f32 array `target`, unrolled over the value dim. On SwiftShader every
 * dynamically indexed access is a per-lane gather: vec4 reads made the whole kernel about 1.2×
 * faster than unrolled scalar reads (MHA N=512, d=32), and unrolling with constant indices into
 * `target` (kept in registers) about 1.8× faster than a loop over a dynamic `d`.
 */
export function accumulateValueTile(weight: string, valueDim: number, target = 'acc'): string[] {
  const vectors = Math.ceil(valueDim / 4);
  return [
    '{',
    `  let value_base = j * ${vectors};`,
    `  let value_weight = ${weight};`,
    ...Array.from({ length: vectors }, (_, vector) => [
      `  let value_${vector} = value_tile[value_base + ${vector}];`,
      ...Array.from({ length: Math.min(4, valueDim - 4 * vector) }, (_, lane) => {
        const d = 4 * vector + lane;
        return `  ${target}[${d}] += value_weight * value_${vector}[${lane}];`;
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
export function valueTileSquaredDistance(row: string, valueDim: number, result: string): string[] {
  const vectors = Math.ceil(valueDim / 4);
  return [
    `var ${result} = 0.0;`,
    '{',
    `  let distance_base = j * ${vectors};`,
    ...Array.from({ length: vectors }, (_, vector) => [
      `  let difference_${vector} = value_tile[distance_base + ${vector}] - ${row}_${vector};`,
      `  ${result} += dot(difference_${vector}, difference_${vector});`,
    ]).flat(),
    '}',
  ];
}

/**
 * WGSL adding `weights[r]` times value row `j` of the staged `value_tile` to the f32 array
 * `targets[r]`, for several rows at once: each vec4 of the value row is read from workgroup memory
 * once for all of them (on SwiftShader such a read is a per-lane gather).
 */
export function accumulateValueTileRows(
  weights: readonly string[],
  valueDim: number,
  targets: readonly string[],
): string[] {
  const vectors = Math.ceil(valueDim / 4);
  return [
    '{',
    `  let value_base = j * ${vectors};`,
    ...Array.from({ length: vectors }, (_, vector) => [
      `  let value_${vector} = value_tile[value_base + ${vector}];`,
      ...Array.from({ length: Math.min(4, valueDim - 4 * vector) }, (_, lane) => {
        const d = 4 * vector + lane;
        return targets.map(
          (target, row) => `  ${target}[${d}] += ${weights[row]} * value_${vector}[${lane}];`,
        );
      }).flat(),
    ]).flat(),
    '}',
  ];
}
