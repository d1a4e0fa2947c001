// Inline WGSL snapshots of the reduce template (reductions over leading or middle axes).
// Refresh with `pnpm vitest run --project unit packages/wgsl/src/snapshots -u`.
import { exp, input, max, mean, sum } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { HARDWARE, programWgsl, SOFTWARE } from './snapshot-support.js';

const columnSum = () => ({ y: sum(input('x', [8, 4]), 0) });
const middleMean = () => ({ y: mean(exp(input('x', [4, 8, 4])), 1) });

describe('reduce template', () => {
  test('sum over the leading axis, hardware', () => {
    expect(programWgsl(columnSum(), HARDWARE, ['reduce'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: reduce (sum)
      // fuses 1 node(s):
      //   reduce fn="sum" axes=[0] -> [4] f32
      // tensors:
      //   in_x (read_write): input "x" [8, 4] f32
      //   out_reduce_1 (read_write): reduce [4] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_reduce_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index * 256u + local_index);
        if (row >= 4) {
          return;
        }
        let r0 = row;

        // sum over the row (reduce)
        var partial_total0: f32 = 0.0;
        for (var column = 0; column < 8; column++) {
          let c0 = column;
          partial_total0 = partial_total0 + in_x[(c0 * 4) + r0];
        }
        let total0 = partial_total0;
        let stat0: f32 = total0;

        out_reduce_1[r0] = stat0;
      }"
    `);
  });

  test('sum over the leading axis, software adapter', () => {
    expect(programWgsl(columnSum(), SOFTWARE, ['reduce'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: reduce (sum)
      // fuses 1 node(s):
      //   reduce fn="sum" axes=[0] -> [4] f32
      // tensors:
      //   in_x (read_write): input "x" [8, 4] f32
      //   out_reduce_1 (read_write): reduce [4] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_reduce_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index * 256u + local_index);
        if (row >= 4) {
          return;
        }
        let r0 = row;

        // sum over the row (reduce)
        var partial_total0: f32 = 0.0;
        for (var column = 0; column < 8; column++) {
          let c0 = column;
          partial_total0 = partial_total0 + in_x[(c0 * 4) + r0];
        }
        let total0 = partial_total0;
        let stat0: f32 = total0;

        out_reduce_1[r0] = stat0;
      }"
    `);
  });

  test('mean over a middle axis of a fused exp, hardware', () => {
    expect(programWgsl(middleMean(), HARDWARE, ['reduce'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: reduce (mean)
      // fuses 2 node(s):
      //   unary fn="exp" -> [4, 8, 4] f32
      //   reduce fn="mean" axes=[1] -> [4, 4] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8, 4] f32
      //   out_reduce_1 (read_write): reduce [4, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_reduce_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index * 256u + local_index);
        if (row >= 16) {
          return;
        }
        var r_rest = row;
        let r1 = r_rest % 4;
        r_rest = r_rest / 4;
        let r0 = r_rest;

        // mean over the row (reduce)
        var partial_total0: f32 = 0.0;
        for (var column = 0; column < 8; column++) {
          let c0 = column;
          partial_total0 = partial_total0 + exp(in_x[(r0 * 32) + ((c0 * 4) + r1)]);
        }
        let total0 = partial_total0;
        let stat0: f32 = total0 / f32(8);

        out_reduce_1[(r0 * 4) + r1] = stat0;
      }"
    `);
  });

  test('mean over a middle axis of a fused exp, software adapter', () => {
    expect(programWgsl(middleMean(), SOFTWARE, ['reduce'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: reduce (mean)
      // fuses 2 node(s):
      //   unary fn="exp" -> [4, 8, 4] f32
      //   reduce fn="mean" axes=[1] -> [4, 4] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8, 4] f32
      //   out_reduce_1 (read_write): reduce [4, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_reduce_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index * 256u + local_index);
        if (row >= 16) {
          return;
        }
        var r_rest = row;
        let r1 = r_rest % 4;
        r_rest = r_rest / 4;
        let r0 = r_rest;

        // mean over the row (reduce)
        var partial_total0: f32 = 0.0;
        for (var column = 0; column < 8; column++) {
          let c0 = column;
          partial_total0 = partial_total0 + exp(in_x[(r0 * 32) + ((c0 * 4) + r1)]);
        }
        let total0 = partial_total0;
        let stat0: f32 = total0 / f32(8);

        out_reduce_1[(r0 * 4) + r1] = stat0;
      }"
    `);
  });

  test('max over the leading axis keeping dims, hardware', () => {
    expect(
      programWgsl({ y: max(input('x', [8, 4]), 0, { keepDims: true }) }, HARDWARE, ['reduce']),
    ).toMatchInlineSnapshot(`
      "// Weft kernel 0: reduce (max)
      // fuses 1 node(s):
      //   reduce fn="max" axes=[0] -> [1, 4] f32
      // tensors:
      //   in_x (read_write): input "x" [8, 4] f32
      //   out_reduce_1 (read_write): reduce [1, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_reduce_1: array<f32>;

      fn weft_inf() -> f32 {
        var bits = 0x7f800000u;
        return bitcast<f32>(bits);
      }

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index * 256u + local_index);
        if (row >= 4) {
          return;
        }
        let r0 = row;

        // max over the row (reduce)
        var partial_total0: f32 = -weft_inf();
        for (var column = 0; column < 8; column++) {
          let c0 = column;
          partial_total0 = max(partial_total0, in_x[(c0 * 4) + r0]);
        }
        let total0 = partial_total0;
        let stat0: f32 = total0;

        out_reduce_1[r0] = stat0;
      }"
    `);
  });
});
