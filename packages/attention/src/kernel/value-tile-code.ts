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
