// Inline WGSL snapshots of the matmul template: tiled (hardware) and direct (software adapter), plain
// and with an elementwise prologue on A (silu) and epilogue (bias + gelu).
// Refresh with `pnpm vitest run --project unit packages/wgsl/src/snapshots -u`.
import { add, gelu, input, matmul, param, silu } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { HARDWARE, programWgsl, SOFTWARE } from './snapshot-support.js';

const plain = () => ({ c: matmul(input('a', [4, 8]), param('w', [8, 8])) });

/** Prologue silu(a) on A's loads; epilogue gelu(acc + bias) before the store. */
const prologueEpilogue = () => ({
  c: gelu(add(matmul(silu(input('a', [4, 8])), param('w', [8, 8])), param('b', [8]))),
});

describe('matmul template, plain and with elementwise prologue and epilogue', () => {
  test('plain, hardware: tiled', () => {
    expect(programWgsl(plain(), HARDWARE, ['matmul'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: matmul
      // fuses 1 node(s):
      //   matmul -> [4, 8] f32
      // tensors:
      //   in_a (read_write): input "a" [4, 8] f32
      //   in_w (read_write): param "w" [8, 8] f32
      //   out_matmul_1 (read_write): matmul [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_a: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out_matmul_1: array<f32>;

      var<workgroup> tile_a: array<f32, 1024>;
      var<workgroup> tile_b: array<f32, 1024>;

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
        for (var k0 = 0; k0 < 8; k0 += 32) {
          // A tile: 32 rows x 32 columns of input "a"
          for (var slot = i32(local_index); slot < 1024; slot += 64) {
            let m = tile_m * 32 + slot / 32;
            let k = k0 + slot % 32;
            var value = 0.0;
            if (m < 4 && k < 8) {
              value = in_a[(m * 8) + k];
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

  test('plain, software adapter: direct', () => {
    expect(programWgsl(plain(), SOFTWARE, ['matmul'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: matmul
      // fuses 1 node(s):
      //   matmul -> [4, 8] f32
      // tensors:
      //   in_a (read_write): input "a" [4, 8] f32
      //   in_w (read_write): param "w" [8, 8] f32
      //   out_matmul_1 (read_write): matmul [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_a: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out_matmul_1: array<f32>;

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
        let index = i32(workgroup_index) * 16 + i32(local_index);
        let blocks_n = (8 + 7) / 8;
        let blocks_m = (4 + 3) / 4;
        let block_n = index % blocks_n;
        let block_m = (index / blocks_n) % blocks_m;
        let batch = index / (blocks_n * blocks_m);
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
        let column0 = n0;
        let column1 = min(n0 + 1, 8 - 1);
        let column2 = min(n0 + 2, 8 - 1);
        let column3 = min(n0 + 3, 8 - 1);
        let column4 = min(n0 + 4, 8 - 1);
        let column5 = min(n0 + 5, 8 - 1);
        let column6 = min(n0 + 6, 8 - 1);
        let column7 = min(n0 + 7, 8 - 1);
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
          // Rows of input "a"
          let a_row0 = in_a[(row0 * 8) + k];
          let a_row1 = in_a[(row1 * 8) + k];
          let a_row2 = in_a[(row2 * 8) + k];
          let a_row3 = in_a[(row3 * 8) + k];
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

  test('elementwise prologue and bias + gelu epilogue, hardware: tiled', () => {
    expect(programWgsl(prologueEpilogue(), HARDWARE, ['matmul'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: matmul
      // fuses 4 node(s):
      //   unary fn="silu" -> [4, 8] f32
      //   matmul -> [4, 8] f32
      //   binary fn="add" -> [4, 8] f32
      //   unary fn="gelu" -> [4, 8] f32
      // tensors:
      //   in_a (read_write): input "a" [4, 8] f32
      //   in_w (read_write): param "w" [8, 8] f32
      //   in_b (read_write): param "b" [8] f32
      //   out_unary_1 (read_write): unary [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_a: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_unary_1: array<f32>;

      var<workgroup> tile_a: array<f32, 1024>;
      var<workgroup> tile_b: array<f32, 1024>;

      fn weft_erf(x: f32) -> f32 {
        let z = clamp(x, -4.0, 4.0);
        let z2 = z * z;
        var p = z2 * -2.72614225801306e-10 + 2.77068142495902e-08;
        p = z2 * p + -2.10102402082508e-06;
        p = z2 * p + -5.69250639462346e-05;
        p = z2 * p + -7.34990630326855e-04;
        p = z2 * p + -2.95459980854025e-03;
        p = z2 * p + -1.60960333262415e-02;
        var q = z2 * -1.45660718464996e-05 + -2.13374055278905e-04;
        q = z2 * q + -1.68282697438203e-03;
        q = z2 * q + -7.37332916720468e-03;
        q = z2 * q + -1.42647390514189e-02;
        return z * p / q;
      }

      fn weft_gelu(x: f32) -> f32 {
        return 0.5 * x * (1.0 + weft_erf(x * 0.7071067811865476)); // 0.707... = 1/sqrt(2)
      }

      fn weft_sigmoid(x: f32) -> f32 {
        let e = exp(-abs(x));
        return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
      }

      fn weft_silu(x: f32) -> f32 {
        return x * weft_sigmoid(x);
      }

      fn store_block_row(m: i32, n0: i32, values: vec4<f32>) {
        if (m >= 4) {
          return;
        }
        for (var j = 0; j < 4; j++) {
          let n = n0 + j;
          if (n < 8) {
            let acc_value = values[j];
            let flat = (m * 8) + n;
            out_unary_1[flat] = weft_gelu(acc_value + in_b[n]);
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
        for (var k0 = 0; k0 < 8; k0 += 32) {
          // A tile: 32 rows x 32 columns of unary
          for (var slot = i32(local_index); slot < 1024; slot += 64) {
            let m = tile_m * 32 + slot / 32;
            let k = k0 + slot % 32;
            var value = 0.0;
            if (m < 4 && k < 8) {
              value = weft_silu(in_a[(m * 8) + k]);
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

  test('elementwise prologue and bias + gelu epilogue, software adapter: direct', () => {
    expect(programWgsl(prologueEpilogue(), SOFTWARE, ['matmul'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: matmul
      // fuses 4 node(s):
      //   unary fn="silu" -> [4, 8] f32
      //   matmul -> [4, 8] f32
      //   binary fn="add" -> [4, 8] f32
      //   unary fn="gelu" -> [4, 8] f32
      // tensors:
      //   in_a (read_write): input "a" [4, 8] f32
      //   in_w (read_write): param "w" [8, 8] f32
      //   in_b (read_write): param "b" [8] f32
      //   out_unary_1 (read_write): unary [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_a: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_unary_1: array<f32>;

      fn weft_erf(x: f32) -> f32 {
        let z = clamp(x, -4.0, 4.0);
        let z2 = z * z;
        var p = z2 * -2.72614225801306e-10 + 2.77068142495902e-08;
        p = z2 * p + -2.10102402082508e-06;
        p = z2 * p + -5.69250639462346e-05;
        p = z2 * p + -7.34990630326855e-04;
        p = z2 * p + -2.95459980854025e-03;
        p = z2 * p + -1.60960333262415e-02;
        var q = z2 * -1.45660718464996e-05 + -2.13374055278905e-04;
        q = z2 * q + -1.68282697438203e-03;
        q = z2 * q + -7.37332916720468e-03;
        q = z2 * q + -1.42647390514189e-02;
        return z * p / q;
      }

      fn weft_gelu(x: f32) -> f32 {
        return 0.5 * x * (1.0 + weft_erf(x * 0.7071067811865476)); // 0.707... = 1/sqrt(2)
      }

      fn weft_sigmoid(x: f32) -> f32 {
        let e = exp(-abs(x));
        return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
      }

      fn weft_silu(x: f32) -> f32 {
        return x * weft_sigmoid(x);
      }

      fn store_block_row(m: i32, n0: i32, values: vec4<f32>) {
        if (m >= 4) {
          return;
        }
        for (var j = 0; j < 4; j++) {
          let n = n0 + j;
          if (n < 8) {
            let acc_value = values[j];
            let flat = (m * 8) + n;
            out_unary_1[flat] = weft_gelu(acc_value + in_b[n]);
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
        let index = i32(workgroup_index) * 16 + i32(local_index);
        let blocks_n = (8 + 7) / 8;
        let blocks_m = (4 + 3) / 4;
        let block_n = index % blocks_n;
        let block_m = (index / blocks_n) % blocks_m;
        let batch = index / (blocks_n * blocks_m);
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
        let column0 = n0;
        let column1 = min(n0 + 1, 8 - 1);
        let column2 = min(n0 + 2, 8 - 1);
        let column3 = min(n0 + 3, 8 - 1);
        let column4 = min(n0 + 4, 8 - 1);
        let column5 = min(n0 + 5, 8 - 1);
        let column6 = min(n0 + 6, 8 - 1);
        let column7 = min(n0 + 7, 8 - 1);
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
          // Rows of unary
          let a_row0 = weft_silu(in_a[(row0 * 8) + k]);
          let a_row1 = weft_silu(in_a[(row1 * 8) + k]);
          let a_row2 = weft_silu(in_a[(row2 * 8) + k]);
          let a_row3 = weft_silu(in_a[(row3 * 8) + k]);
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
