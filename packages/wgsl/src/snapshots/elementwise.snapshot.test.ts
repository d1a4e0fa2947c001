// Inline WGSL snapshots of the elementwise template on both device profiles. Refresh with
// `pnpm vitest run --project unit packages/wgsl/src/snapshots -u` when generated code changes on purpose.
import { add, exp, gelu, input, mul, param, permute, reshape, slice, symbolicDim } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { HARDWARE, programWgsl, SOFTWARE } from './snapshot-support.js';

/** A fused chain with a broadcast parameter: gelu(x·y + bias), [4, 8]. */
function chain() {
  return { y: gelu(add(mul(input('x', [4, 8]), input('y', [4, 8])), param('bias', [8]))) };
}

/** Injective index maps fused into the load: exp of a reshape, permute and slice. */
function injective() {
  const x = input('x', [4, 8]);
  return { y: exp(slice(permute(reshape(x, [4, 2, 4]), [1, 0, 2]), [0, 0, 1], [2, 4, 4])) };
}

/** A symbolic row count, bound per run. */
function symbolic() {
  const rows = symbolicDim('rows', { max: 16 });
  return { y: add(input('x', [rows, 8]), param('bias', [8])) };
}

describe('elementwise template', () => {
  test('chain with a broadcast bias, hardware', () => {
    expect(programWgsl(chain(), HARDWARE, ['elementwise'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: elementwise (gelu)
      // fuses 3 node(s):
      //   binary fn="mul" -> [4, 8] f32
      //   binary fn="add" -> [4, 8] f32
      //   unary fn="gelu" -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   in_y (read_write): input "y" [4, 8] f32
      //   in_bias (read_write): param "bias" [8] f32
      //   out_unary_1 (read_write): unary [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_y: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_bias: array<f32>;
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

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let index = i32(workgroup_index * 256u + local_index);
        if (index >= 32) {
          return;
        }
        var i_rest = index;
        let i1 = i_rest % 8;
        i_rest = i_rest / 8;
        let i0 = i_rest;
        let v0: i32 = (i0 * 8) + i1;
        out_unary_1[index] = weft_gelu((in_x[v0] * in_y[v0]) + in_bias[i1]);
      }"
    `);
  });

  test('chain with a broadcast bias, software adapter', () => {
    expect(programWgsl(chain(), SOFTWARE, ['elementwise'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: elementwise (gelu)
      // fuses 3 node(s):
      //   binary fn="mul" -> [4, 8] f32
      //   binary fn="add" -> [4, 8] f32
      //   unary fn="gelu" -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   in_y (read_write): input "y" [4, 8] f32
      //   in_bias (read_write): param "bias" [8] f32
      //   out_unary_1 (read_write): unary [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_y: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_bias: array<f32>;
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

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let index = i32(workgroup_index * 256u + local_index);
        if (index >= 32) {
          return;
        }
        var i_rest = index;
        let i1 = i_rest % 8;
        i_rest = i_rest / 8;
        let i0 = i_rest;
        let v0: i32 = (i0 * 8) + i1;
        out_unary_1[index] = weft_gelu((in_x[v0] * in_y[v0]) + in_bias[i1]);
      }"
    `);
  });

  test('reshape, permute and slice as index maps, hardware', () => {
    expect(programWgsl(injective(), HARDWARE, ['elementwise'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: elementwise (exp)
      // fuses 4 node(s):
      //   reshape -> [4, 2, 4] f32
      //   permute perm=[1,0,2] -> [2, 4, 4] f32
      //   slice -> [2, 4, 3] f32
      //   unary fn="exp" -> [2, 4, 3] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_unary_1 (read_write): unary [2, 4, 3] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_unary_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let index = i32(workgroup_index * 256u + local_index);
        if (index >= 24) {
          return;
        }
        var i_rest = index;
        let i2 = i_rest % 3;
        i_rest = i_rest / 3;
        let i1 = i_rest % 4;
        i_rest = i_rest / 4;
        let i0 = i_rest;
        let v0: i32 = (i1 * 8) + ((i0 * 4) + (1 + i2));
        out_unary_1[index] = exp(in_x[((v0 / 8) * 8) + (v0 % 8)]);
      }"
    `);
  });

  test('reshape, permute and slice as index maps, software adapter', () => {
    expect(programWgsl(injective(), SOFTWARE, ['elementwise'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: elementwise (exp)
      // fuses 4 node(s):
      //   reshape -> [4, 2, 4] f32
      //   permute perm=[1,0,2] -> [2, 4, 4] f32
      //   slice -> [2, 4, 3] f32
      //   unary fn="exp" -> [2, 4, 3] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_unary_1 (read_write): unary [2, 4, 3] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_unary_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let index = i32(workgroup_index * 256u + local_index);
        if (index >= 24) {
          return;
        }
        var i_rest = index;
        let i2 = i_rest % 3;
        i_rest = i_rest / 3;
        let i1 = i_rest % 4;
        i_rest = i_rest / 4;
        let i0 = i_rest;
        let v0: i32 = (i1 * 8) + ((i0 * 4) + (1 + i2));
        out_unary_1[index] = exp(in_x[((v0 / 8) * 8) + (v0 % 8)]);
      }"
    `);
  });

  test('symbolic row count, hardware', () => {
    expect(programWgsl(symbolic(), HARDWARE, ['elementwise'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: elementwise (add)
      // fuses 1 node(s):
      //   binary fn="add" -> [rows<=16, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [rows<=16, 8] f32
      //   in_bias (read_write): param "bias" [8] f32
      //   out_binary_1 (read_write): binary [rows<=16, 8] f32

      struct Params {
        dim_rows: u32,
        pad0: u32,
        pad1: u32,
        pad2: u32,
      }

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_bias: array<f32>;
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
        if (index >= i32(params.dim_rows) * 8) {
          return;
        }
        var i_rest = index;
        let i1 = i_rest % 8;
        i_rest = i_rest / 8;
        let i0 = i_rest;
        out_binary_1[index] = in_x[(i0 * 8) + i1] + in_bias[i1];
      }"
    `);
  });

  test('symbolic row count, software adapter', () => {
    expect(programWgsl(symbolic(), SOFTWARE, ['elementwise'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: elementwise (add)
      // fuses 1 node(s):
      //   binary fn="add" -> [rows<=16, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [rows<=16, 8] f32
      //   in_bias (read_write): param "bias" [8] f32
      //   out_binary_1 (read_write): binary [rows<=16, 8] f32

      struct Params {
        dim_rows: u32,
        pad0: u32,
        pad1: u32,
        pad2: u32,
      }

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_bias: array<f32>;
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
        if (index >= i32(params.dim_rows) * 8) {
          return;
        }
        var i_rest = index;
        let i1 = i_rest % 8;
        i_rest = i_rest / 8;
        let i0 = i_rest;
        out_binary_1[index] = in_x[(i0 * 8) + i1] + in_bias[i1];
      }"
    `);
  });
});
