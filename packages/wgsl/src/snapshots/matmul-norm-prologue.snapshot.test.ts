// Inline WGSL snapshots of the matmul template with a layer norm over K in its prologue (the kernel
// computes its rows' mean and variance first): tiled (hardware) and direct (software adapter).
// Refresh with `pnpm vitest run --project unit packages/wgsl/src/snapshots -u`.
import { add, input, matmul, mean, mul, param, rsqrt, sub } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { HARDWARE, programWgsl, SOFTWARE } from './snapshot-support.js';

/** LayerNorm over K before the matmul: the kernel computes its rows' mean and variance first. */
function layerNormPrologue() {
  const h = input('h', [4, 8]);
  const centered = sub(h, mean(h, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  const normalized = add(
    mul(mul(centered, rsqrt(add(variance, 1e-5))), param('gamma', [8])),
    param('beta', [8]),
  );
  return { c: matmul(normalized, param('w', [8, 8])) };
}

describe('matmul template, layer norm prologue', () => {
  test('layer norm statistics in the prologue, hardware: tiled', () => {
    expect(programWgsl(layerNormPrologue(), HARDWARE, ['matmul'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: matmul
      // fuses 11 node(s):
      //   reduce fn="mean" axes=[1] -> [4, 1] f32
      //   binary fn="sub" -> [4, 8] f32
      //   binary fn="mul" -> [4, 8] f32
      //   reduce fn="mean" axes=[1] -> [4, 1] f32
      //   constant -> [] f32
      //   binary fn="add" -> [4, 1] f32
      //   unary fn="rsqrt" -> [4, 1] f32
      //   binary fn="mul" -> [4, 8] f32
      //   binary fn="mul" -> [4, 8] f32
      //   binary fn="add" -> [4, 8] f32
      //   matmul -> [4, 8] f32
      // tensors:
      //   in_h (read_write): input "h" [4, 8] f32
      //   in_gamma (read_write): param "gamma" [8] f32
      //   in_beta (read_write): param "beta" [8] f32
      //   in_w (read_write): param "w" [8, 8] f32
      //   out_matmul_1 (read_write): matmul [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_h: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_gamma: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_beta: array<f32>;
      @group(0) @binding(3) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(4) var<storage, read_write> out_matmul_1: array<f32>;

      var<workgroup> tile_a: array<f32, 1024>;
      var<workgroup> tile_b: array<f32, 1024>;
      var<workgroup> row_partial: array<f32, 64>;
      var<workgroup> row_stat0: array<f32, 32>;
      var<workgroup> row_stat3: array<f32, 32>;

      fn store_block_row(m: i32, n0: i32, values: vec4<f32>) {
        if (m >= 4) {
          return;
        }
        for (var j = 0; j < 4; j++) {
          let n = n0 + j;
          if (n < 8) {
            let acc_value = values[j];
            let flat = (m * 8) + n;
            out_matmul_1[flat] = acc_value;
          }
        }
      }

      @compute @workgroup_size(64, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let tiles_n = 1;
        let tiles_m = 1;
        let tile = i32(workgroup_index);
        let tile_n = tile % tiles_n;
        let tile_m = (tile / tiles_n) % tiles_m;
        let batch = tile / (tiles_n * tiles_m);
        if (batch >= 1) {
          return;
        }
        let thread_n = i32(local_index % 8u);
        let thread_m = i32(local_index / 8u);
        // acc<r>: row r of the 4x4 output block of this invocation
        var acc0 = vec4<f32>();
        var acc1 = vec4<f32>();
        var acc2 = vec4<f32>();
        var acc3 = vec4<f32>();
        // Row statistics of A over K (matmul prologue), 2 invocations per row of the block
        {
          let stat_row = i32(local_index / 2u);
          let stat_lane = i32(local_index % 2u);
          let m = tile_m * 32 + stat_row;

          // mean over the row (reduce)
          var partial0: f32 = 0.0;
          if (m < 4) {
            for (var k = stat_lane; k < 8; k += 2) {
              partial0 = partial0 + in_h[(m * 8) + k];
            }
          }
          row_partial[local_index] = partial0;
          workgroupBarrier();
          let total0 = row_partial[stat_row * 2] + row_partial[stat_row * 2 + 1];
          workgroupBarrier();
          let stat0: f32 = total0 / f32(8);
          if (stat_lane == 0) {
            row_stat0[stat_row] = stat0;
          }

          // mean over the row (reduce)
          var partial1: f32 = 0.0;
          if (m < 4) {
            for (var k = stat_lane; k < 8; k += 2) {
              let s1_0: f32 = in_h[(m * 8) + k] - stat0;
              partial1 = partial1 + s1_0 * s1_0;
            }
          }
          row_partial[local_index] = partial1;
          workgroupBarrier();
          let total1 = row_partial[stat_row * 2] + row_partial[stat_row * 2 + 1];
          workgroupBarrier();
          let stat1: f32 = total1 / f32(8);

          // per-row value (binary)
          let stat2: f32 = stat1 + 0.00001;

          // per-row value (unary)
          let stat3: f32 = inverseSqrt(stat2);
          if (stat_lane == 0) {
            row_stat3[stat_row] = stat3;
          }
        }
        workgroupBarrier();
        for (var k0 = 0; k0 < 8; k0 += 32) {
          // A tile: 32 rows x 32 columns of binary
          for (var slot = i32(local_index); slot < 1024; slot += 64) {
            let m = tile_m * 32 + slot / 32;
            let k = k0 + slot % 32;
            var value = 0.0;
            if (m < 4 && k < 8) {
              let stat0 = row_stat0[slot / 32];
              let stat3 = row_stat3[slot / 32];
              value = (((in_h[(m * 8) + k] - stat0) * stat3) * in_gamma[k]) + in_beta[k];
            }
            tile_a[slot] = value;
          }
          // B tile: 32 rows x 32 columns of param "w"
          for (var slot = i32(local_index); slot < 1024; slot += 64) {
            let k = k0 + slot / 32;
            let n = tile_n * 32 + slot % 32;
            var value = 0.0;
            if (k < 8 && n < 8) {
              value = in_w[(k * 8) + n];
            }
            tile_b[slot] = value;
          }
          workgroupBarrier();
          for (var kk = 0; kk < 32; kk++) {
            let a_at = thread_m * 128 + kk;
            let b_at = kk * 32 + thread_n * 4;
            let b_row = vec4<f32>(tile_b[b_at], tile_b[b_at + 1], tile_b[b_at + 2], tile_b[b_at + 3]);
            acc0 = fma(vec4<f32>(tile_a[a_at]), b_row, acc0);
            acc1 = fma(vec4<f32>(tile_a[a_at + 32]), b_row, acc1);
            acc2 = fma(vec4<f32>(tile_a[a_at + 64]), b_row, acc2);
            acc3 = fma(vec4<f32>(tile_a[a_at + 96]), b_row, acc3);
          }
          workgroupBarrier();
        }
        let m0 = tile_m * 32 + thread_m * 4;
        let n0 = tile_n * 32 + thread_n * 4;
        store_block_row(m0, n0, acc0);
        store_block_row(m0 + 1, n0, acc1);
        store_block_row(m0 + 2, n0, acc2);
        store_block_row(m0 + 3, n0, acc3);
      }"
    `);
  });

  test('layer norm statistics in the prologue, software adapter: direct', () => {
    expect(programWgsl(layerNormPrologue(), SOFTWARE, ['matmul'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: matmul
      // fuses 11 node(s):
      //   reduce fn="mean" axes=[1] -> [4, 1] f32
      //   binary fn="sub" -> [4, 8] f32
      //   binary fn="mul" -> [4, 8] f32
      //   reduce fn="mean" axes=[1] -> [4, 1] f32
      //   constant -> [] f32
      //   binary fn="add" -> [4, 1] f32
      //   unary fn="rsqrt" -> [4, 1] f32
      //   binary fn="mul" -> [4, 8] f32
      //   binary fn="mul" -> [4, 8] f32
      //   binary fn="add" -> [4, 8] f32
      //   matmul -> [4, 8] f32
      // tensors:
      //   in_h (read_write): input "h" [4, 8] f32
      //   in_gamma (read_write): param "gamma" [8] f32
      //   in_beta (read_write): param "beta" [8] f32
      //   in_w (read_write): param "w" [8, 8] f32
      //   out_matmul_1 (read_write): matmul [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_h: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_gamma: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_beta: array<f32>;
      @group(0) @binding(3) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(4) var<storage, read_write> out_matmul_1: array<f32>;

      var<workgroup> row_partial: array<f32, 16>;
      var<workgroup> row_stat0: array<f32, 4>;
      var<workgroup> row_stat3: array<f32, 4>;

      fn store_block_row(m: i32, n0: i32, values: vec4<f32>) {
        if (m >= 4) {
          return;
        }
        for (var j = 0; j < 4; j++) {
          let n = n0 + j;
          if (n < 8) {
            let acc_value = values[j];
            let flat = (m * 8) + n;
            out_matmul_1[flat] = acc_value;
          }
        }
      }

      @compute @workgroup_size(16, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let blocks_n = (8 + 7) / 8;
        let blocks_m = (4 + 3) / 4;
        let groups_n = (blocks_n + 15) / 16;
        let group = i32(workgroup_index);
        let block_n = (group % groups_n) * 16 + i32(local_index);
        let block_m = (group / groups_n) % blocks_m;
        let batch = group / (groups_n * blocks_m);
        if (batch >= 1) {
          return;
        }
        let m0 = block_m * 4;
        let n0 = block_n * 8;
        // Rows and columns of the block, clamped into the matrix (repeats at an edge are not stored)
        let row0 = m0;
        let row1 = min(m0 + 1, 4 - 1);
        let row2 = min(m0 + 2, 4 - 1);
        let row3 = min(m0 + 3, 4 - 1);
        let column0 = min(n0 + 0, 8 - 1);
        let column1 = min(n0 + 1, 8 - 1);
        let column2 = min(n0 + 2, 8 - 1);
        let column3 = min(n0 + 3, 8 - 1);
        let column4 = min(n0 + 4, 8 - 1);
        let column5 = min(n0 + 5, 8 - 1);
        let column6 = min(n0 + 6, 8 - 1);
        let column7 = min(n0 + 7, 8 - 1);
        // Row statistics of A over K (matmul prologue), 4 invocations per row of the block
        {
          let stat_row = i32(local_index / 4u);
          let stat_lane = i32(local_index % 4u);
          let m = m0 + stat_row;

          // mean over the row (reduce)
          var partial0: f32 = 0.0;
          if (m < 4) {
            for (var k = stat_lane; k < 8; k += 4) {
              partial0 = partial0 + in_h[(m * 8) + k];
            }
          }
          row_partial[local_index] = partial0;
          workgroupBarrier();
          var total0 = row_partial[stat_row * 4];
          for (var lane = 1; lane < 4; lane++) {
            total0 = total0 + row_partial[stat_row * 4 + lane];
          }
          workgroupBarrier();
          let stat0: f32 = total0 / f32(8);
          if (stat_lane == 0) {
            row_stat0[stat_row] = stat0;
          }

          // mean over the row (reduce)
          var partial1: f32 = 0.0;
          if (m < 4) {
            for (var k = stat_lane; k < 8; k += 4) {
              let s1_0: f32 = in_h[(m * 8) + k] - stat0;
              partial1 = partial1 + s1_0 * s1_0;
            }
          }
          row_partial[local_index] = partial1;
          workgroupBarrier();
          var total1 = row_partial[stat_row * 4];
          for (var lane = 1; lane < 4; lane++) {
            total1 = total1 + row_partial[stat_row * 4 + lane];
          }
          workgroupBarrier();
          let stat1: f32 = total1 / f32(8);

          // per-row value (binary)
          let stat2: f32 = stat1 + 0.00001;

          // per-row value (unary)
          let stat3: f32 = inverseSqrt(stat2);
          if (stat_lane == 0) {
            row_stat3[stat_row] = stat3;
          }
        }
        workgroupBarrier();
        let stat0_row0 = row_stat0[0];
        let stat3_row0 = row_stat3[0];
        let stat0_row1 = row_stat0[1];
        let stat3_row1 = row_stat3[1];
        let stat0_row2 = row_stat0[2];
        let stat3_row2 = row_stat3[2];
        let stat0_row3 = row_stat0[3];
        let stat3_row3 = row_stat3[3];
        // acc<r>[_<g>]: row r, columns 4g..4g+3 of the 4x8 output block of this invocation
        var acc0 = vec4<f32>();
        var acc0_1 = vec4<f32>();
        var acc1 = vec4<f32>();
        var acc1_1 = vec4<f32>();
        var acc2 = vec4<f32>();
        var acc2_1 = vec4<f32>();
        var acc3 = vec4<f32>();
        var acc3_1 = vec4<f32>();
        for (var k = 0; k < 8; k++) {
          // Rows of binary
          let a_0: f32 = in_gamma[k];
          let a_1: f32 = in_beta[k];
          let a_row0 = (((in_h[(row0 * 8) + k] - stat0_row0) * stat3_row0) * a_0) + a_1;
          let a_row1 = (((in_h[(row1 * 8) + k] - stat0_row1) * stat3_row1) * a_0) + a_1;
          let a_row2 = (((in_h[(row2 * 8) + k] - stat0_row2) * stat3_row2) * a_0) + a_1;
          let a_row3 = (((in_h[(row3 * 8) + k] - stat0_row3) * stat3_row3) * a_0) + a_1;
          // Columns of param "w"
          let b_value0 = in_w[(k * 8) + column0];
          let b_value1 = in_w[(k * 8) + column1];
          let b_value2 = in_w[(k * 8) + column2];
          let b_value3 = in_w[(k * 8) + column3];
          let b_row = vec4<f32>(b_value0, b_value1, b_value2, b_value3);
          let b_value4 = in_w[(k * 8) + column4];
          let b_value5 = in_w[(k * 8) + column5];
          let b_value6 = in_w[(k * 8) + column6];
          let b_value7 = in_w[(k * 8) + column7];
          let b_row_1 = vec4<f32>(b_value4, b_value5, b_value6, b_value7);
          acc0 = fma(vec4<f32>(a_row0), b_row, acc0);
          acc0_1 = fma(vec4<f32>(a_row0), b_row_1, acc0_1);
          acc1 = fma(vec4<f32>(a_row1), b_row, acc1);
          acc1_1 = fma(vec4<f32>(a_row1), b_row_1, acc1_1);
          acc2 = fma(vec4<f32>(a_row2), b_row, acc2);
          acc2_1 = fma(vec4<f32>(a_row2), b_row_1, acc2_1);
          acc3 = fma(vec4<f32>(a_row3), b_row, acc3);
          acc3_1 = fma(vec4<f32>(a_row3), b_row_1, acc3_1);
        }
        store_block_row(m0, n0, acc0);
        store_block_row(m0, n0 + 4, acc0_1);
        store_block_row(m0 + 1, n0, acc1);
        store_block_row(m0 + 1, n0 + 4, acc1_1);
        store_block_row(m0 + 2, n0, acc2);
        store_block_row(m0 + 2, n0 + 4, acc2_1);
        store_block_row(m0 + 3, n0, acc3);
        store_block_row(m0 + 3, n0 + 4, acc3_1);
      }"
    `);
  });
});
