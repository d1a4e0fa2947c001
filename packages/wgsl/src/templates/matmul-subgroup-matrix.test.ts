import { add, gelu, input, matmul, mean, mul, param, rsqrt, sub, symbolicDim } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { F16_PROFILE, makeKernel } from '../../test/kernel-fixtures.js';
import { generateKernel } from '../generate-kernel.js';
import {
  DEFAULT_DEVICE_PROFILE,
  type DeviceProfile,
  type SubgroupMatrixConfig,
} from '../generated-kernel.js';
import { withoutHalfTier } from '../testing/half-tier.js';
import { lintWgsl } from '../testing/wgsl-lint.js';
import { chooseMatmulStrategy } from './matmul-strategy.js';
import { chooseSubgroupMatrix } from './subgroup-matrix-strategy.js';

// No adapter here has `chromium-experimental-subgroup-matrix`, so these kernels cannot be compiled
// or run: their choice and text are checked against Dawn's sources (see matmul-subgroup-matrix.ts).
const config = (
  componentType: string,
  resultComponentType: string,
  M: number,
  N: number,
  K: number,
): SubgroupMatrixConfig => ({ componentType, resultComponentType, M, N, K });

/** Configurations of the shapes Vulkan drivers and Metal report (f16 16×16×16 and 8×8×8). */
const CONFIGS = [
  config('f16', 'f16', 16, 16, 16),
  config('f16', 'f32', 16, 16, 16),
  config('f32', 'f32', 8, 8, 8),
  config('i8', 'i32', 16, 16, 32),
];
const WITH_MATRICES: DeviceProfile = {
  ...F16_PROFILE,
  subgroups: true,
  subgroupMatrix: { configs: CONFIGS, subgroupMaxSize: 32 },
};
const F16: DeviceProfile = { ...WITH_MATRICES, precision: 'f16' };
const dims = (rows: number, columns: number, depth: number) => ({ rows, columns, depth });

describe('chooseSubgroupMatrix', () => {
  test('f16 precision takes the first f16 config with an f32 result; f32 takes the f32 config', () => {
    expect(chooseSubgroupMatrix(F16, dims(64, 96, 128))).toEqual({
      config: CONFIGS[1],
      tile: { rows: 32, columns: 32, depth: 32 },
      width: 32,
    });
    expect(chooseSubgroupMatrix(WITH_MATRICES, dims(64, 96, 128))).toEqual({
      config: CONFIGS[2],
      tile: { rows: 32, columns: 32, depth: 32 },
      width: 32,
    });
  });

  test('a dim not divisible by the matrix shape falls back, as does a symbolic one', () => {
    expect(chooseSubgroupMatrix(F16, dims(64, 96, 72))).toBeUndefined(); // 72 % 16
    expect(chooseSubgroupMatrix(F16, dims(40, 96, 64))).toBeUndefined(); // 40 % 16
    expect(chooseSubgroupMatrix(F16, dims(64, 24, 64))).toBeUndefined(); // 24 % 16
    // 24 divides by the f32 config's 8: edge tiles of the 32-wide workgroup tile are padded.
    expect(chooseSubgroupMatrix(WITH_MATRICES, dims(24, 40, 72))?.config).toEqual(CONFIGS[2]);
    const seq = symbolicDim('seq', { max: 64 });
    expect(chooseSubgroupMatrix(F16, { rows: seq, columns: 64, depth: 64 })).toBeUndefined();
  });

  test('never chosen without the feature, subgroups, shader-f16 for f16, or on a software adapter', () => {
    const shape = dims(64, 64, 64);
    expect(
      chooseSubgroupMatrix({ ...F16_PROFILE, subgroups: true, precision: 'f16' }, shape),
    ).toBeUndefined();
    expect(chooseSubgroupMatrix({ ...F16, subgroups: false }, shape)).toBeUndefined();
    expect(chooseSubgroupMatrix({ ...F16, shaderF16: false }, shape)).toBeUndefined();
    expect(chooseSubgroupMatrix({ ...F16, software: true }, shape)).toBeUndefined();
    expect(chooseSubgroupMatrix({ ...WITH_MATRICES, precision: 'f16-emulated' }, shape)).toBeUndefined();
    // Only an f16 result for f16 operands: not used (f32 accumulation is required).
    const f16Only = { ...F16, subgroupMatrix: { configs: [CONFIGS[0]!], subgroupMaxSize: 32 } };
    expect(chooseSubgroupMatrix(f16Only, shape)).toBeUndefined();
    expect(chooseMatmulStrategy(f16Only, shape).variant).toBe('tiled');
    expect(chooseMatmulStrategy(DEFAULT_DEVICE_PROFILE, shape).variant).toBe('tiled');
  });

  test('the workgroup is subgroupMaxSize wide, and must fit the device', () => {
    const wide = { ...F16, subgroupMatrix: { configs: CONFIGS, subgroupMaxSize: 128 } };
    expect(chooseSubgroupMatrix(wide, dims(64, 64, 64))?.width).toBe(128);
    const tooWide = { ...F16, subgroupMatrix: { configs: CONFIGS, subgroupMaxSize: 512 } };
    expect(chooseSubgroupMatrix(tooWide, dims(64, 64, 64))).toBeUndefined();
  });

  test('row statistics of a fused prologue need a width that is a multiple of the tile rows', () => {
    const statistics = (rows: number, lanes: number) => (rows * lanes + rows) * 4;
    expect(chooseSubgroupMatrix(F16, dims(64, 64, 64), statistics)?.width).toBe(32);
    const narrow = { ...F16, subgroupMatrix: { configs: CONFIGS, subgroupMaxSize: 16 } };
    expect(chooseSubgroupMatrix(narrow, dims(64, 64, 64))?.width).toBe(16);
    expect(chooseSubgroupMatrix(narrow, dims(64, 64, 64), statistics)).toBeUndefined();
  });
});

function matmulKernel(rows: number, depth: number, columns: number, prologue = false) {
  const a = input('a', [rows, depth]);
  const w = param('w', [depth, columns]);
  let left = a;
  if (prologue) {
    const centered = sub(a, mean(a, -1, { keepDims: true }));
    left = mul(centered, rsqrt(add(mean(mul(centered, centered), -1, { keepDims: true }), 1e-5)));
  }
  const product = matmul(left, w);
  return makeKernel('matmul', [gelu(product)], [a, w], { anchor: product });
}

describe('subgroup-matrix matmul text', () => {
  test('f16: enables, types and builtins as in Dawn’s end2end tests, f32 result, owner per block', () => {
    const { wgsl, workgroupSize } = generateKernel(matmulKernel(64, 128, 96), F16);
    expect(workgroupSize).toEqual([32, 1, 1]);
    expect(wgsl).toMatch(/^enable chromium_experimental_subgroup_matrix;$/m);
    expect(wgsl).toMatch(/^enable f16;$/m);
    expect(wgsl).toMatch(/^enable subgroups;$/m);
    expect(wgsl).toContain('alias LeftMatrix = subgroup_matrix_left<f16, 16, 16>;');
    expect(wgsl).toContain('alias RightMatrix = subgroup_matrix_right<f16, 16, 16>;');
    expect(wgsl).toContain('alias ResultMatrix = subgroup_matrix_result<f32, 16, 16>;');
    expect(wgsl).toContain('@builtin(subgroup_id) subgroup_id: u32');
    expect(wgsl).toContain('@builtin(num_subgroups) subgroup_count: u32');
    expect(wgsl).toContain('var<workgroup> tile_a: array<f16, 1024>;');
    expect(wgsl).toContain('var<workgroup> tile_c: array<f32, 1024>;');
    // A 32×32 tile of 16×16 blocks: four accumulators, each touched only by its owner.
    for (const block of [0, 1, 2, 3]) {
      expect(wgsl).toContain(`var acc${block}: ResultMatrix;`);
      expect(wgsl).toContain(`acc${block} = subgroupMatrixMultiplyAccumulate(left, right, acc${block});`);
    }
    expect(wgsl).toContain('if (subgroup_id == 3u % subgroup_count) {');
    expect(wgsl).toContain('subgroupMatrixLoad<LeftMatrix, row_major>(&tile_a, 512u + kk, 32u)');
    expect(wgsl).toContain('subgroupMatrixLoad<RightMatrix, row_major>(&tile_b, kk * 32u + 16u, 32u)');
    expect(wgsl).toContain('subgroupMatrixStore<row_major>(&tile_c, 528u, acc3, 32u);');
    expect(wgsl).toContain('for (var kk = 0u; kk < 32u; kk += 16u) {');
    expect(lintWgsl(withoutHalfTier(wgsl).replace(/\bto_half\(|\bwiden\(/g, '('))).toEqual([]);
  });

  test('f32 precision uses an f32 config without enable f16', () => {
    const { wgsl } = generateKernel(matmulKernel(64, 64, 64), WITH_MATRICES);
    expect(wgsl).toContain('alias LeftMatrix = subgroup_matrix_left<f32, 8, 8>;');
    expect(wgsl).toContain('var<workgroup> tile_a: array<f32, 1024>;');
    expect(wgsl).not.toMatch(/^enable f16;$/m);
    expect(lintWgsl(wgsl)).toEqual([]);
  });

  test('a fused LayerNorm prologue computes its row statistics before the K loop', () => {
    const { wgsl } = generateKernel(matmulKernel(64, 64, 64, true), F16);
    expect(wgsl).toContain('subgroupMatrixMultiplyAccumulate');
    expect(wgsl).toContain('row_stat');
  });

  test('no subgroup-matrix text where the profile lacks the feature or the shape does not divide', () => {
    const cases: [DeviceProfile, ReturnType<typeof matmulKernel>][] = [
      [{ ...F16_PROFILE, precision: 'f16' }, matmulKernel(64, 128, 96)],
      [{ ...F16_PROFILE, subgroups: true }, matmulKernel(64, 128, 96)],
      [{ ...F16, software: true }, matmulKernel(64, 128, 96)],
      [F16, matmulKernel(64, 72, 96)],
    ];
    for (const [profile, kernel] of cases) {
      const { wgsl } = generateKernel(kernel, profile);
      expect(wgsl).not.toMatch(/subgroup_matrix|subgroupMatrix|subgroup_id/);
    }
  });

  test('the emitted kernel equals the tiled one on a profile with the feature but an unfit shape', () => {
    const tiled = generateKernel(matmulKernel(64, 72, 96), {
      ...F16_PROFILE,
      subgroups: true,
      precision: 'f16',
    });
    const fallback = generateKernel(matmulKernel(64, 72, 96), F16);
    expect(fallback.wgsl).toBe(tiled.wgsl);
  });
});
