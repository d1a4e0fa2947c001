import {
  add,
  gelu,
  InputError,
  input,
  makeNode,
  matmul,
  mean,
  mul,
  type OpDef,
  param,
  permute,
  reshape,
  rsqrt,
  sub,
  symbolicDim,
  UnsupportedError,
  withLabel,
} from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { F16_PROFILE, makeKernel, SUBGROUP_PROFILE } from '../test/kernel-fixtures.js';
import { foldWorkgroups } from './dispatch-grid.js';
import { generateKernel, generateProgram } from './generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE, type DeviceProfile } from './generated-kernel.js';
import type { KernelExtension } from './kernel-extension.js';

const seq = symbolicDim('seq', { max: 128 });

function broadcastAdd() {
  const x = input('x', [4, seq, 8]);
  const bias = param('bias', [8]);
  return makeKernel('elementwise', [add(x, bias)], [x, bias]);
}

function layerNorm() {
  const h = input('h', [seq, 64]);
  const gamma = param('gamma', [64]);
  const beta = param('beta', [64]);
  const centered = sub(h, mean(h, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  return makeKernel(
    'row',
    [add(mul(mul(centered, rsqrt(add(variance, 1e-5))), gamma), beta)],
    [h, gamma, beta],
  );
}

function matmulBiasGelu() {
  const a = input('a', [seq, 64]);
  const w = param('w', [64, 96]);
  const bias = param('b', [96]);
  const product = matmul(a, w);
  return makeKernel('matmul', [gelu(add(product, bias))], [a, w, bias], { anchor: product });
}

function rmsNormMatmulSplitHeads() {
  const h = input('h', [seq, 64]);
  const gain = param('gain', [64]);
  const normalized = mul(mul(h, rsqrt(add(mean(mul(h, h), -1, { keepDims: true }), 1e-6))), gain);
  const product = matmul(normalized, param('w', [64, 64]));
  return makeKernel(
    'matmul',
    [permute(reshape(product, [seq, 4, 16]), [1, 0, 2])],
    [h, gain, param('w', [64, 64])],
    {
      anchor: product,
    },
  );
}

describe('generated WGSL of representative kernels', () => {
  test('elementwise broadcast add', () => {
    expect(generateKernel(broadcastAdd(), DEFAULT_DEVICE_PROFILE).wgsl).toMatchInlineSnapshot(`
      "// Weft kernel 0: elementwise (add)
      // fuses 1 node(s):
      //   binary fn="add" -> [4, seq<=128, 8] f32
      // tensors:
      //   in_x (read): input "x" [4, seq<=128, 8] f32
      //   in_bias (read): param "bias" [8] f32
      //   out_binary_1 (read_write): binary [4, seq<=128, 8] f32

      struct Params {
        dim_seq: u32,
        pad0: u32,
        pad1: u32,
        pad2: u32,
      }

      @group(0) @binding(0) var<storage, read> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read> in_bias: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out_binary_1: array<f32>;
      @group(0) @binding(3) var<uniform> params: Params;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let index = i32(workgroup_index * 256u + local_index);
        if (index >= i32(params.dim_seq) * 32) {
          return;
        }
        var i_rest = index;
        let i2 = i_rest % 8;
        i_rest = i_rest / 8;
        let i1 = i_rest % i32(params.dim_seq);
        i_rest = i_rest / i32(params.dim_seq);
        let i0 = i_rest;
        out_binary_1[index] = in_x[(i0 * (8 * i32(params.dim_seq))) + ((i1 * 8) + i2)] + in_bias[i2];
      }
      "
    `);
  });

  test('LayerNorm row kernel: two-pass mean and variance', () => {
    expect(generateKernel(layerNorm(), DEFAULT_DEVICE_PROFILE).wgsl).toMatchInlineSnapshot(`
      "// Weft kernel 0: row (mean)
      // fuses 10 node(s):
      //   reduce fn="mean" axes=[1] -> [seq<=128, 1] f32
      //   binary fn="sub" -> [seq<=128, 64] f32
      //   binary fn="mul" -> [seq<=128, 64] f32
      //   reduce fn="mean" axes=[1] -> [seq<=128, 1] f32
      //   constant -> [] f32
      //   binary fn="add" -> [seq<=128, 1] f32
      //   unary fn="rsqrt" -> [seq<=128, 1] f32
      //   binary fn="mul" -> [seq<=128, 64] f32
      //   binary fn="mul" -> [seq<=128, 64] f32
      //   binary fn="add" -> [seq<=128, 64] f32
      // tensors:
      //   in_h (read): input "h" [seq<=128, 64] f32
      //   in_gamma (read): param "gamma" [64] f32
      //   in_beta (read): param "beta" [64] f32
      //   out_binary_1 (read_write): binary [seq<=128, 64] f32

      struct Params {
        dim_seq: u32,
        pad0: u32,
        pad1: u32,
        pad2: u32,
      }

      @group(0) @binding(0) var<storage, read> in_h: array<f32>;
      @group(0) @binding(1) var<storage, read> in_gamma: array<f32>;
      @group(0) @binding(2) var<storage, read> in_beta: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_binary_1: array<f32>;
      @group(0) @binding(4) var<uniform> params: Params;

      var<workgroup> scratch_f32: array<f32, 64>;

      @compute @workgroup_size(64, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index);
        if (row >= i32(params.dim_seq)) {
          return;
        }
        let r0 = row;

        // mean over the row (reduce)
        var partial_total0: f32 = 0.0;
        for (var column = i32(local_index); column < 64; column += 64) {
          let c0 = column;
          partial_total0 = partial_total0 + in_h[(r0 * 64) + c0];
        }
        scratch_f32[local_index] = partial_total0;
        workgroupBarrier();
        for (var stride = 32u; stride > 0u; stride = stride / 2u) {
          if (local_index < stride) {
            scratch_f32[local_index] = scratch_f32[local_index] + scratch_f32[local_index + stride];
          }
          workgroupBarrier();
        }
        let total0 = scratch_f32[0];
        workgroupBarrier();
        let stat0: f32 = total0 / f32(64);

        // mean over the row (reduce)
        var partial_total1: f32 = 0.0;
        for (var column = i32(local_index); column < 64; column += 64) {
          let c0 = column;
          let v0: f32 = in_h[(r0 * 64) + c0] - stat0;
          partial_total1 = partial_total1 + v0 * v0;
        }
        scratch_f32[local_index] = partial_total1;
        workgroupBarrier();
        for (var stride = 32u; stride > 0u; stride = stride / 2u) {
          if (local_index < stride) {
            scratch_f32[local_index] = scratch_f32[local_index] + scratch_f32[local_index + stride];
          }
          workgroupBarrier();
        }
        let total1 = scratch_f32[0];
        workgroupBarrier();
        let stat1: f32 = total1 / f32(64);

        for (var column = i32(local_index); column < 64; column += 64) {
          let c0 = column;
          let e0: i32 = (r0 * 64) + c0;
          let e1: f32 = ((in_h[e0] - stat0) * inverseSqrt(stat1 + 0.00001)) * in_gamma[c0];
          let flat = e0;
          out_binary_1[flat] = e1 + in_beta[c0];
        }
      }
      "
    `);
  });

  test('matmul with a bias + gelu epilogue', () => {
    expect(generateKernel(matmulBiasGelu(), DEFAULT_DEVICE_PROFILE).wgsl).toMatchInlineSnapshot(`
      "// Weft kernel 0: matmul
      // fuses 3 node(s):
      //   matmul -> [seq<=128, 96] f32
      //   binary fn="add" -> [seq<=128, 96] f32
      //   unary fn="gelu" -> [seq<=128, 96] f32
      // tensors:
      //   in_a (read): input "a" [seq<=128, 64] f32
      //   in_w (read): param "w" [64, 96] f32
      //   in_b (read): param "b" [96] f32
      //   out_unary_1 (read_write): unary [seq<=128, 96] f32

      struct Params {
        dim_seq: u32,
        pad0: u32,
        pad1: u32,
        pad2: u32,
      }

      @group(0) @binding(0) var<storage, read> in_a: array<f32>;
      @group(0) @binding(1) var<storage, read> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_unary_1: array<f32>;
      @group(0) @binding(4) var<uniform> params: Params;

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

      fn store_block_row(m: i32, n0: i32, values: vec4<f32>) {
        if (m >= i32(params.dim_seq)) {
          return;
        }
        for (var j = 0; j < 4; j++) {
          let n = n0 + j;
          if (n < 96) {
            let acc_value = values[j];
            let flat = (m * 96) + n;
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
        let tiles_n = 3;
        let tiles_m = (i32(params.dim_seq) + 31) / 32;
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
        for (var k0 = 0; k0 < 64; k0 += 32) {
          // A tile: 32 rows x 32 columns of input "a"
          for (var slot = i32(local_index); slot < 1024; slot += 64) {
            let m = tile_m * 32 + slot / 32;
            let k = k0 + slot % 32;
            var value = 0.0;
            if (m < i32(params.dim_seq) && k < 64) {
              value = in_a[(m * 64) + k];
            }
            tile_a[slot] = value;
          }
          // B tile: 32 rows x 32 columns of param "w"
          for (var slot = i32(local_index); slot < 1024; slot += 64) {
            let k = k0 + slot / 32;
            let n = tile_n * 32 + slot % 32;
            var value = 0.0;
            if (k < 64 && n < 96) {
              value = in_w[(k * 96) + n];
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
      }
      "
    `);
  });
});

describe('generated WGSL of fused prologues and epilogues', () => {
  test('RMSNorm statistics in the matmul prologue, heads split by the epilogue store', () => {
    expect(generateKernel(rmsNormMatmulSplitHeads(), DEFAULT_DEVICE_PROFILE).wgsl).toMatchInlineSnapshot(`
      "// Weft kernel 0: matmul
      // fuses 10 node(s):
      //   binary fn="mul" -> [seq<=128, 64] f32
      //   reduce fn="mean" axes=[1] -> [seq<=128, 1] f32
      //   constant -> [] f32
      //   binary fn="add" -> [seq<=128, 1] f32
      //   unary fn="rsqrt" -> [seq<=128, 1] f32
      //   binary fn="mul" -> [seq<=128, 64] f32
      //   binary fn="mul" -> [seq<=128, 64] f32
      //   matmul -> [seq<=128, 64] f32
      //   reshape -> [seq<=128, 4, 16] f32
      //   permute perm=[1,0,2] -> [4, seq<=128, 16] f32
      // tensors:
      //   in_h (read): input "h" [seq<=128, 64] f32
      //   in_gain (read): param "gain" [64] f32
      //   in_w (read): param "w" [64, 64] f32
      //   out_permute_1 (read_write): permute [4, seq<=128, 16] f32

      struct Params {
        dim_seq: u32,
        pad0: u32,
        pad1: u32,
        pad2: u32,
      }

      @group(0) @binding(0) var<storage, read> in_h: array<f32>;
      @group(0) @binding(1) var<storage, read> in_gain: array<f32>;
      @group(0) @binding(2) var<storage, read> in_w: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_permute_1: array<f32>;
      @group(0) @binding(4) var<uniform> params: Params;

      var<workgroup> tile_a: array<f32, 1024>;
      var<workgroup> tile_b: array<f32, 1024>;
      var<workgroup> row_partial: array<f32, 64>;
      var<workgroup> row_stat2: array<f32, 32>;

      fn store_block_row(m: i32, n0: i32, values: vec4<f32>) {
        if (m >= i32(params.dim_seq)) {
          return;
        }
        for (var j = 0; j < 4; j++) {
          let n = n0 + j;
          if (n < 64) {
            let acc_value = values[j];
            let e0: i32 = (m * 64) + n;
            let flat = (((e0 / 16) % 4) * (16 * i32(params.dim_seq))) + (((e0 / 64) * 16) + (e0 % 16));
            out_permute_1[flat] = acc_value;
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
        let tiles_n = 2;
        let tiles_m = (i32(params.dim_seq) + 31) / 32;
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
          if (m < i32(params.dim_seq)) {
            for (var k = stat_lane; k < 64; k += 2) {
              let s0_0: f32 = in_h[(m * 64) + k];
              partial0 = partial0 + s0_0 * s0_0;
            }
          }
          row_partial[local_index] = partial0;
          workgroupBarrier();
          let total0 = row_partial[stat_row * 2] + row_partial[stat_row * 2 + 1];
          workgroupBarrier();
          let stat0: f32 = total0 / f32(64);

          // per-row value (binary)
          let stat1: f32 = stat0 + 0.000001;

          // per-row value (unary)
          let stat2: f32 = inverseSqrt(stat1);
          if (stat_lane == 0) {
            row_stat2[stat_row] = stat2;
          }
        }
        workgroupBarrier();
        for (var k0 = 0; k0 < 64; k0 += 32) {
          // A tile: 32 rows x 32 columns of binary
          for (var slot = i32(local_index); slot < 1024; slot += 64) {
            let m = tile_m * 32 + slot / 32;
            let k = k0 + slot % 32;
            var value = 0.0;
            if (m < i32(params.dim_seq) && k < 64) {
              let stat2 = row_stat2[slot / 32];
              value = (in_h[(m * 64) + k] * stat2) * in_gain[k];
            }
            tile_a[slot] = value;
          }
          // B tile: 32 rows x 32 columns of param "w"
          for (var slot = i32(local_index); slot < 1024; slot += 64) {
            let k = k0 + slot / 32;
            let n = tile_n * 32 + slot % 32;
            var value = 0.0;
            if (k < 64 && n < 64) {
              value = in_w[(k * 64) + n];
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
      }
      "
    `);
  });
});

describe('generated WGSL of the direct matmul (software adapter)', () => {
  test('RMSNorm statistics computed by the workgroup for its block row, heads split by the store', () => {
    const software: DeviceProfile = { ...DEFAULT_DEVICE_PROFILE, software: true };
    expect(generateKernel(rmsNormMatmulSplitHeads(), software).wgsl).toMatchInlineSnapshot(`
      "// Weft kernel 0: matmul
      // fuses 10 node(s):
      //   binary fn="mul" -> [seq<=128, 64] f32
      //   reduce fn="mean" axes=[1] -> [seq<=128, 1] f32
      //   constant -> [] f32
      //   binary fn="add" -> [seq<=128, 1] f32
      //   unary fn="rsqrt" -> [seq<=128, 1] f32
      //   binary fn="mul" -> [seq<=128, 64] f32
      //   binary fn="mul" -> [seq<=128, 64] f32
      //   matmul -> [seq<=128, 64] f32
      //   reshape -> [seq<=128, 4, 16] f32
      //   permute perm=[1,0,2] -> [4, seq<=128, 16] f32
      // tensors:
      //   in_h (read): input "h" [seq<=128, 64] f32
      //   in_gain (read): param "gain" [64] f32
      //   in_w (read): param "w" [64, 64] f32
      //   out_permute_1 (read_write): permute [4, seq<=128, 16] f32

      struct Params {
        dim_seq: u32,
        pad0: u32,
        pad1: u32,
        pad2: u32,
      }

      @group(0) @binding(0) var<storage, read> in_h: array<f32>;
      @group(0) @binding(1) var<storage, read> in_gain: array<f32>;
      @group(0) @binding(2) var<storage, read> in_w: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_permute_1: array<f32>;
      @group(0) @binding(4) var<uniform> params: Params;

      var<workgroup> row_partial: array<f32, 16>;
      var<workgroup> row_stat2: array<f32, 4>;

      fn store_block_row(m: i32, n0: i32, values: vec4<f32>) {
        if (m >= i32(params.dim_seq)) {
          return;
        }
        for (var j = 0; j < 4; j++) {
          let n = n0 + j;
          if (n < 64) {
            let acc_value = values[j];
            let e0: i32 = (m * 64) + n;
            let flat = (((e0 / 16) % 4) * (16 * i32(params.dim_seq))) + (((e0 / 64) * 16) + (e0 % 16));
            out_permute_1[flat] = acc_value;
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
        let blocks_n = (64 + 7) / 8;
        let blocks_m = (i32(params.dim_seq) + 3) / 4;
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
        let row1 = min(m0 + 1, i32(params.dim_seq) - 1);
        let row2 = min(m0 + 2, i32(params.dim_seq) - 1);
        let row3 = min(m0 + 3, i32(params.dim_seq) - 1);
        let column0 = min(n0 + 0, 64 - 1);
        let column1 = min(n0 + 1, 64 - 1);
        let column2 = min(n0 + 2, 64 - 1);
        let column3 = min(n0 + 3, 64 - 1);
        let column4 = min(n0 + 4, 64 - 1);
        let column5 = min(n0 + 5, 64 - 1);
        let column6 = min(n0 + 6, 64 - 1);
        let column7 = min(n0 + 7, 64 - 1);
        // Row statistics of A over K (matmul prologue), 4 invocations per row of the block
        {
          let stat_row = i32(local_index / 4u);
          let stat_lane = i32(local_index % 4u);
          let m = m0 + stat_row;

          // mean over the row (reduce)
          var partial0: f32 = 0.0;
          if (m < i32(params.dim_seq)) {
            for (var k = stat_lane; k < 64; k += 4) {
              let s0_0: f32 = in_h[(m * 64) + k];
              partial0 = partial0 + s0_0 * s0_0;
            }
          }
          row_partial[local_index] = partial0;
          workgroupBarrier();
          var total0 = row_partial[stat_row * 4];
          for (var lane = 1; lane < 4; lane++) {
            total0 = total0 + row_partial[stat_row * 4 + lane];
          }
          workgroupBarrier();
          let stat0: f32 = total0 / f32(64);

          // per-row value (binary)
          let stat1: f32 = stat0 + 0.000001;

          // per-row value (unary)
          let stat2: f32 = inverseSqrt(stat1);
          if (stat_lane == 0) {
            row_stat2[stat_row] = stat2;
          }
        }
        workgroupBarrier();
        let stat2_row0 = row_stat2[0];
        let stat2_row1 = row_stat2[1];
        let stat2_row2 = row_stat2[2];
        let stat2_row3 = row_stat2[3];
        // acc<r>[_<g>]: row r, columns 4g..4g+3 of the 4x8 output block of this invocation
        var acc0 = vec4<f32>();
        var acc0_1 = vec4<f32>();
        var acc1 = vec4<f32>();
        var acc1_1 = vec4<f32>();
        var acc2 = vec4<f32>();
        var acc2_1 = vec4<f32>();
        var acc3 = vec4<f32>();
        var acc3_1 = vec4<f32>();
        for (var k = 0; k < 64; k++) {
          // Rows of binary
          let a_0: f32 = in_gain[k];
          let a_row0 = (in_h[(row0 * 64) + k] * stat2_row0) * a_0;
          let a_row1 = (in_h[(row1 * 64) + k] * stat2_row1) * a_0;
          let a_row2 = (in_h[(row2 * 64) + k] * stat2_row2) * a_0;
          let a_row3 = (in_h[(row3 * 64) + k] * stat2_row3) * a_0;
          // Columns of param "w"
          let b_value0 = in_w[(k * 64) + column0];
          let b_value1 = in_w[(k * 64) + column1];
          let b_value2 = in_w[(k * 64) + column2];
          let b_value3 = in_w[(k * 64) + column3];
          let b_row = vec4<f32>(b_value0, b_value1, b_value2, b_value3);
          let b_value4 = in_w[(k * 64) + column4];
          let b_value5 = in_w[(k * 64) + column5];
          let b_value6 = in_w[(k * 64) + column6];
          let b_value7 = in_w[(k * 64) + column7];
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
      }
      "
    `);
  });
});

describe('determinism', () => {
  test('the same kernel gives the same text, bindings and label', () => {
    for (const build of [broadcastAdd, layerNorm, matmulBiasGelu]) {
      const first = generateKernel(build(), DEFAULT_DEVICE_PROFILE);
      const second = generateKernel(build(), DEFAULT_DEVICE_PROFILE);
      expect(second.wgsl).toBe(first.wgsl);
      expect(second.label).toBe(first.label);
      expect(second.bindings.map((binding) => binding.binding)).toEqual(
        first.bindings.map((binding) => binding.binding),
      );
    }
  });

  test('generateProgram renders every kernel in plan order', () => {
    const kernels = [broadcastAdd(), { ...layerNorm(), id: 1 }];
    const program = generateProgram({ graph: { outputs: {} }, kernels }, DEFAULT_DEVICE_PROFILE);
    expect(program.map((kernel) => kernel.label)).toEqual(['elementwise (add)', 'row (mean)']);
  });
});

describe('sanitization', () => {
  test('user names never reach the module unescaped', () => {
    const hostile = 'x */\n@compute fn evil() {}\n// \u00e9';
    const x = input(hostile, [3]);
    const generated = generateKernel(makeKernel('elementwise', [mul(x, 2)], [x]), DEFAULT_DEVICE_PROFILE);
    const lines = generated.wgsl.split('\n');
    expect(
      lines
        .filter((line) => line.includes('evil'))
        .every((line) => line.startsWith('//') || /\bin_x_compute_fn_evil\b/.test(line)),
    ).toBe(true);
    expect(generated.wgsl).not.toContain('fn evil');
    expect(generated.wgsl).not.toContain('*/');
    expect(generated.wgsl).toMatch(/var<storage, read> in_x_compute_fn_evil: array<f32>;/);
    expect(/^[\x20-\x7e\n]*$/.test(generated.wgsl)).toBe(true);
  });
});

describe('device limits', () => {
  test('large 1-D grids fold into y and z', () => {
    expect(foldWorkgroups(100, 65535)).toEqual([100, 1, 1]);
    expect(foldWorkgroups(65535 * 3 + 1, 65535)).toEqual([65535, 4, 1]);
    expect(foldWorkgroups(65535 * 65535 + 1, 65535)).toEqual([65535, 65535, 2]);
    const x = input('x', [65535 * 256 + 1]);
    const generated = generateKernel(makeKernel('elementwise', [mul(x, 3)], [x]), DEFAULT_DEVICE_PROFILE);
    expect(generated.workgroups({})).toEqual([65535, 2, 1]);
    expect(generated.wgsl).toContain(
      'workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z)',
    );
  });

  test('a tensor over the maximum binding size fails clearly', () => {
    const small: DeviceProfile = {
      ...DEFAULT_DEVICE_PROFILE,
      limits: { ...DEFAULT_DEVICE_PROFILE.limits, maxStorageBufferBindingSize: 1024 },
    };
    const x = input('big', [16, 17]);
    const kernel = makeKernel('elementwise', [mul(x, 3)], [x]);
    expect(() => generateKernel(kernel, small)).toThrow(UnsupportedError);
    expect(() => generateKernel(kernel, small)).toThrow(
      /tensor "big": tensor exceeds the device's maximum storage binding size \(expected <= 1024 bytes, got 1088 bytes/,
    );
  });

  test('inputs beyond the storage-buffer limit share one packed binding addressed through params', () => {
    const tight: DeviceProfile = {
      ...DEFAULT_DEVICE_PROFILE,
      limits: { ...DEFAULT_DEVICE_PROFILE.limits, maxStorageBuffersPerShaderStage: 3 },
    };
    const inputs = ['p', 'q', 'r'].map((name) => input(name, [seq, 2]));
    const kernel = makeKernel('elementwise', [add(add(inputs[0]!, inputs[1]!), inputs[2]!)], inputs);
    const generated = generateKernel(kernel, tight);
    expect(
      generated.bindings.map((binding) =>
        binding.kind === 'storage' ? binding.tensors.length : binding.name,
      ),
    ).toEqual([3, 1, 'params']);
    expect(generated.wgsl).toContain('var<storage, read> packed_inputs: array<u32>;');
    expect(generated.wgsl).toContain('bitcast<f32>(packed_inputs[params.offset_q + u32(');
    const offsets = new Map(inputs.map((node, position) => [node, position * 1024]));
    expect([...generated.uniforms({ seq: 7 }, offsets)]).toEqual([7, 0, 256, 512]);
    expect(() => generated.uniforms({ seq: 7 })).toThrow(InputError);
  });

  test('inputs can be declared read_write for a runtime that binds ranges of one arena', () => {
    const generated = generateKernel(broadcastAdd(), DEFAULT_DEVICE_PROFILE, { inputAccess: 'read_write' });
    expect(generated.wgsl).toContain('var<storage, read_write> in_x: array<f32>;');
    expect(
      generated.bindings
        .filter((binding) => binding.kind === 'storage')
        .map((binding) => binding.kind === 'storage' && binding.access),
    ).toEqual(['read_write', 'read_write', 'read_write']);
  });

  test('symbolic dims are checked when packing the uniform', () => {
    const generated = generateKernel(broadcastAdd(), DEFAULT_DEVICE_PROFILE);
    expect([...generated.uniforms({ seq: 9 })]).toEqual([9, 0, 0, 0]);
    expect(generated.workgroups({ seq: 9 })).toEqual([Math.ceil((4 * 9 * 8) / 256), 1, 1]);
    expect(() => generated.uniforms({ seq: 129 })).toThrow(/seq/);
  });
});

describe('features', () => {
  test('row statistics use subgroup builtins exactly when the profile has subgroups', () => {
    const fast = generateKernel(layerNorm(), SUBGROUP_PROFILE).wgsl;
    expect(fast).toContain('enable subgroups;');
    expect(fast).toContain('@builtin(subgroup_size) subgroup_size: u32');
    // Mean and variance: a subgroup sum each, then one step over the subgroups' partials.
    expect(fast.match(/subgroupAdd\(/g)).toHaveLength(2);
    expect(fast).toContain('subgroupElect()');
    // No subgroup size is assumed: no literal size next to a subgroup builtin.
    const subgroupLines = fast.split('\n').filter((line) => /subgroup/.test(line));
    expect(subgroupLines.filter((line) => /\b(4|8|16|32|64|128)u?\b/.test(line))).toEqual([]);
    for (const wgsl of [
      generateKernel(layerNorm(), SUBGROUP_PROFILE, { subgroupReductions: false }).wgsl,
      generateKernel(layerNorm(), DEFAULT_DEVICE_PROFILE).wgsl,
      generateKernel(layerNorm(), { ...SUBGROUP_PROFILE, software: true }).wgsl,
    ]) {
      expect(wgsl).not.toMatch(/subgroup/);
    }
  });

  test('f16 tensors enable f16 and accumulate in f32', () => {
    const h = input('h', [seq, 64], 'f16');
    const kernel = makeKernel('row', [sub(h, mean(h, -1, { keepDims: true }))], [h]);
    const wgsl = generateKernel(kernel, F16_PROFILE).wgsl;
    expect(wgsl).toContain('enable f16;');
    expect(wgsl).toContain('var partial_total0: f32 = 0.0;');
    expect(wgsl).toContain('let stat0: f16 = f16(total0 / f32(64));');
    expect(() => generateKernel(kernel, DEFAULT_DEVICE_PROFILE)).toThrow(/shader-f16/);
  });
});

describe('extension templates', () => {
  test('are found by name in the given extensions only; built-ins come first', () => {
    const kernel = { ...broadcastAdd(), template: 'test.custom' };
    expect(() => generateKernel(kernel, DEFAULT_DEVICE_PROFILE)).toThrow(UnsupportedError);
    expect(() => generateKernel(kernel, DEFAULT_DEVICE_PROFILE)).toThrow(
      /no WGSL template for template "test.custom" of kernel 0 .*no extensions were given/,
    );
    const generator = (inner: typeof kernel, profile: DeviceProfile) =>
      generateKernel({ ...inner, template: 'elementwise' }, profile);
    const custom: KernelExtension = { name: 'custom', templates: { 'test.custom': generator } };
    expect(generateKernel(kernel, DEFAULT_DEVICE_PROFILE, { extensions: [custom] }).wgsl).toContain(
      '// Weft kernel 0: elementwise (add)',
    );
    const shadowing: KernelExtension = {
      name: 'shadowing',
      templates: {
        elementwise: () => {
          throw new Error('a built-in template was looked up in an extension');
        },
      },
    };
    expect(() =>
      generateKernel(broadcastAdd(), DEFAULT_DEVICE_PROFILE, { extensions: [shadowing] }),
    ).not.toThrow();
  });

  test('an opaque kernel of an extension op without its extension names the op, the kernel and the fix', () => {
    const attentionLike: OpDef = { name: 'attention', arity: 1, fusion: 'opaque', infer: ([x]) => x! };
    const x = input('x', [4, 8]);
    const node = withLabel('layers.0.attn', () => makeNode(attentionLike, [x]));
    const kernel = makeKernel('opaque', [node], [x]);
    expect(() => generateKernel(kernel, DEFAULT_DEVICE_PROFILE)).toThrow(
      /no WGSL template for op "attention" of kernel 0 "layers.0.attn · opaque": pass `extensions: \[attention\]`, with `attention` from '@weft\/attention\/kernels'/,
    );
  });
});
