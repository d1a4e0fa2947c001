// Inline WGSL snapshots of the row template for softmax: the cooperative tree (one workgroup per
// row) and one invocation per row (software adapters, and short rows everywhere), and a softmax
// that also writes its row max.
// Refresh with `pnpm vitest run --project unit packages/wgsl/src/snapshots -u`.
import { div, exp, input, max, type Node, sub, sum } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { HARDWARE, programWgsl, SOFTWARE } from './snapshot-support.js';

function softmaxRows(x: Node): Node {
  const shifted = exp(sub(x, max(x, -1, { keepDims: true })));
  return div(shifted, sum(shifted, -1, { keepDims: true }));
}

describe('row template, softmax', () => {
  test('softmax over rows of 64, hardware: cooperative tree', () => {
    expect(programWgsl({ y: softmaxRows(input('x', [4, 64])) }, HARDWARE, ['row'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: row (max, sum)
      // fuses 5 node(s):
      //   reduce fn="max" axes=[1] -> [4, 1] f32
      //   binary fn="sub" -> [4, 64] f32
      //   unary fn="exp" -> [4, 64] f32
      //   reduce fn="sum" axes=[1] -> [4, 1] f32
      //   binary fn="div" -> [4, 64] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 64] f32
      //   out_binary_1 (read_write): binary [4, 64] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_binary_1: array<f32>;

      var<workgroup> scratch_f32: array<f32, 64>;

      fn weft_inf() -> f32 {
        var bits = 0x7f800000u;
        return bitcast<f32>(bits);
      }

      @compute @workgroup_size(64, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index);
        if (row >= 4) {
          return;
        }
        let r0 = row;

        // max over the row (reduce)
        var partial_total0: f32 = -weft_inf();
        for (var column = i32(local_index); column < 64; column += 64) {
          let c0 = column;
          partial_total0 = max(partial_total0, in_x[(r0 * 64) + c0]);
        }
        scratch_f32[local_index] = partial_total0;
        workgroupBarrier();
        for (var stride = 32u; stride > 0u; stride = stride / 2u) {
          if (local_index < stride) {
            scratch_f32[local_index] = max(scratch_f32[local_index], scratch_f32[local_index + stride]);
          }
          workgroupBarrier();
        }
        let total0 = scratch_f32[0];
        workgroupBarrier();
        let stat0: f32 = total0;

        // sum over the row (reduce)
        var partial_total1: f32 = 0.0;
        for (var column = i32(local_index); column < 64; column += 64) {
          let c0 = column;
          partial_total1 = partial_total1 + exp(in_x[(r0 * 64) + c0] - stat0);
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
        let stat1: f32 = total1;

        for (var column = i32(local_index); column < 64; column += 64) {
          let c0 = column;
          let e0: i32 = (r0 * 64) + c0;
          let flat = e0;
          out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
        }
      }"
    `);
  });

  test('softmax over rows of 64, software adapter: one invocation per row', () => {
    expect(programWgsl({ y: softmaxRows(input('x', [4, 64])) }, SOFTWARE, ['row'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: row (max, sum)
      // fuses 5 node(s):
      //   reduce fn="max" axes=[1] -> [4, 1] f32
      //   binary fn="sub" -> [4, 64] f32
      //   unary fn="exp" -> [4, 64] f32
      //   reduce fn="sum" axes=[1] -> [4, 1] f32
      //   binary fn="div" -> [4, 64] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 64] f32
      //   out_binary_1 (read_write): binary [4, 64] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_binary_1: array<f32>;

      fn weft_inf() -> f32 {
        var bits = 0x7f800000u;
        return bitcast<f32>(bits);
      }

      @compute @workgroup_size(64, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index * 64u + local_index);
        if (row >= 4) {
          return;
        }
        let r0 = row;

        // max over the row (reduce)
        var partial_total0_0: f32 = -weft_inf();
        var partial_total0_1: f32 = -weft_inf();
        var partial_total0_2: f32 = -weft_inf();
        var partial_total0_3: f32 = -weft_inf();
        {
          var column = 0;
          for (; column + 3 < 64; column += 4) {
            {
              let c0 = column;
              partial_total0_0 = max(partial_total0_0, in_x[(r0 * 64) + c0]);
            }
            {
              let c0 = (column + 1);
              partial_total0_1 = max(partial_total0_1, in_x[(r0 * 64) + c0]);
            }
            {
              let c0 = (column + 2);
              partial_total0_2 = max(partial_total0_2, in_x[(r0 * 64) + c0]);
            }
            {
              let c0 = (column + 3);
              partial_total0_3 = max(partial_total0_3, in_x[(r0 * 64) + c0]);
            }
          }
          for (; column < 64; column++) {
            let c0 = column;
            partial_total0_0 = max(partial_total0_0, in_x[(r0 * 64) + c0]);
          }
        }
        let total0 = max((max(partial_total0_0, partial_total0_1)), (max(partial_total0_2, partial_total0_3)));
        let stat0: f32 = total0;

        // sum over the row (reduce)
        var partial_total1_0: f32 = 0.0;
        var partial_total1_1: f32 = 0.0;
        var partial_total1_2: f32 = 0.0;
        var partial_total1_3: f32 = 0.0;
        {
          var column = 0;
          for (; column + 3 < 64; column += 4) {
            {
              let c0 = column;
              partial_total1_0 = partial_total1_0 + exp(in_x[(r0 * 64) + c0] - stat0);
            }
            {
              let c0 = (column + 1);
              partial_total1_1 = partial_total1_1 + exp(in_x[(r0 * 64) + c0] - stat0);
            }
            {
              let c0 = (column + 2);
              partial_total1_2 = partial_total1_2 + exp(in_x[(r0 * 64) + c0] - stat0);
            }
            {
              let c0 = (column + 3);
              partial_total1_3 = partial_total1_3 + exp(in_x[(r0 * 64) + c0] - stat0);
            }
          }
          for (; column < 64; column++) {
            let c0 = column;
            partial_total1_0 = partial_total1_0 + exp(in_x[(r0 * 64) + c0] - stat0);
          }
        }
        let total1 = (partial_total1_0 + partial_total1_1) + (partial_total1_2 + partial_total1_3);
        let stat1: f32 = total1;

        {
          var column = 0;
          for (; column + 3 < 64; column += 4) {
            {
              let c0 = column;
              let e0: i32 = (r0 * 64) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
            {
              let c0 = (column + 1);
              let e0: i32 = (r0 * 64) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
            {
              let c0 = (column + 2);
              let e0: i32 = (r0 * 64) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
            {
              let c0 = (column + 3);
              let e0: i32 = (r0 * 64) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
          }
          for (; column < 64; column++) {
            let c0 = column;
            let e0: i32 = (r0 * 64) + c0;
            let flat = e0;
            out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
          }
        }
      }"
    `);
  });

  test('softmax over rows of 8, hardware: short rows take one invocation per row', () => {
    expect(programWgsl({ y: softmaxRows(input('x', [4, 8])) }, HARDWARE, ['row'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: row (max, sum)
      // fuses 5 node(s):
      //   reduce fn="max" axes=[1] -> [4, 1] f32
      //   binary fn="sub" -> [4, 8] f32
      //   unary fn="exp" -> [4, 8] f32
      //   reduce fn="sum" axes=[1] -> [4, 1] f32
      //   binary fn="div" -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_binary_1 (read_write): binary [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_binary_1: array<f32>;

      fn weft_inf() -> f32 {
        var bits = 0x7f800000u;
        return bitcast<f32>(bits);
      }

      @compute @workgroup_size(64, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index * 64u + local_index);
        if (row >= 4) {
          return;
        }
        let r0 = row;

        // max over the row (reduce)
        var partial_total0_0: f32 = -weft_inf();
        var partial_total0_1: f32 = -weft_inf();
        var partial_total0_2: f32 = -weft_inf();
        var partial_total0_3: f32 = -weft_inf();
        {
          var column = 0;
          for (; column + 3 < 8; column += 4) {
            {
              let c0 = column;
              partial_total0_0 = max(partial_total0_0, in_x[(r0 * 8) + c0]);
            }
            {
              let c0 = (column + 1);
              partial_total0_1 = max(partial_total0_1, in_x[(r0 * 8) + c0]);
            }
            {
              let c0 = (column + 2);
              partial_total0_2 = max(partial_total0_2, in_x[(r0 * 8) + c0]);
            }
            {
              let c0 = (column + 3);
              partial_total0_3 = max(partial_total0_3, in_x[(r0 * 8) + c0]);
            }
          }
          for (; column < 8; column++) {
            let c0 = column;
            partial_total0_0 = max(partial_total0_0, in_x[(r0 * 8) + c0]);
          }
        }
        let total0 = max((max(partial_total0_0, partial_total0_1)), (max(partial_total0_2, partial_total0_3)));
        let stat0: f32 = total0;

        // sum over the row (reduce)
        var partial_total1_0: f32 = 0.0;
        var partial_total1_1: f32 = 0.0;
        var partial_total1_2: f32 = 0.0;
        var partial_total1_3: f32 = 0.0;
        {
          var column = 0;
          for (; column + 3 < 8; column += 4) {
            {
              let c0 = column;
              partial_total1_0 = partial_total1_0 + exp(in_x[(r0 * 8) + c0] - stat0);
            }
            {
              let c0 = (column + 1);
              partial_total1_1 = partial_total1_1 + exp(in_x[(r0 * 8) + c0] - stat0);
            }
            {
              let c0 = (column + 2);
              partial_total1_2 = partial_total1_2 + exp(in_x[(r0 * 8) + c0] - stat0);
            }
            {
              let c0 = (column + 3);
              partial_total1_3 = partial_total1_3 + exp(in_x[(r0 * 8) + c0] - stat0);
            }
          }
          for (; column < 8; column++) {
            let c0 = column;
            partial_total1_0 = partial_total1_0 + exp(in_x[(r0 * 8) + c0] - stat0);
          }
        }
        let total1 = (partial_total1_0 + partial_total1_1) + (partial_total1_2 + partial_total1_3);
        let stat1: f32 = total1;

        {
          var column = 0;
          for (; column + 3 < 8; column += 4) {
            {
              let c0 = column;
              let e0: i32 = (r0 * 8) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
            {
              let c0 = (column + 1);
              let e0: i32 = (r0 * 8) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
            {
              let c0 = (column + 2);
              let e0: i32 = (r0 * 8) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
            {
              let c0 = (column + 3);
              let e0: i32 = (r0 * 8) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
          }
          for (; column < 8; column++) {
            let c0 = column;
            let e0: i32 = (r0 * 8) + c0;
            let flat = e0;
            out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
          }
        }
      }"
    `);
  });

  test('softmax over rows of 8, software adapter', () => {
    expect(programWgsl({ y: softmaxRows(input('x', [4, 8])) }, SOFTWARE, ['row'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: row (max, sum)
      // fuses 5 node(s):
      //   reduce fn="max" axes=[1] -> [4, 1] f32
      //   binary fn="sub" -> [4, 8] f32
      //   unary fn="exp" -> [4, 8] f32
      //   reduce fn="sum" axes=[1] -> [4, 1] f32
      //   binary fn="div" -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_binary_1 (read_write): binary [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_binary_1: array<f32>;

      fn weft_inf() -> f32 {
        var bits = 0x7f800000u;
        return bitcast<f32>(bits);
      }

      @compute @workgroup_size(64, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index * 64u + local_index);
        if (row >= 4) {
          return;
        }
        let r0 = row;

        // max over the row (reduce)
        var partial_total0_0: f32 = -weft_inf();
        var partial_total0_1: f32 = -weft_inf();
        var partial_total0_2: f32 = -weft_inf();
        var partial_total0_3: f32 = -weft_inf();
        {
          var column = 0;
          for (; column + 3 < 8; column += 4) {
            {
              let c0 = column;
              partial_total0_0 = max(partial_total0_0, in_x[(r0 * 8) + c0]);
            }
            {
              let c0 = (column + 1);
              partial_total0_1 = max(partial_total0_1, in_x[(r0 * 8) + c0]);
            }
            {
              let c0 = (column + 2);
              partial_total0_2 = max(partial_total0_2, in_x[(r0 * 8) + c0]);
            }
            {
              let c0 = (column + 3);
              partial_total0_3 = max(partial_total0_3, in_x[(r0 * 8) + c0]);
            }
          }
          for (; column < 8; column++) {
            let c0 = column;
            partial_total0_0 = max(partial_total0_0, in_x[(r0 * 8) + c0]);
          }
        }
        let total0 = max((max(partial_total0_0, partial_total0_1)), (max(partial_total0_2, partial_total0_3)));
        let stat0: f32 = total0;

        // sum over the row (reduce)
        var partial_total1_0: f32 = 0.0;
        var partial_total1_1: f32 = 0.0;
        var partial_total1_2: f32 = 0.0;
        var partial_total1_3: f32 = 0.0;
        {
          var column = 0;
          for (; column + 3 < 8; column += 4) {
            {
              let c0 = column;
              partial_total1_0 = partial_total1_0 + exp(in_x[(r0 * 8) + c0] - stat0);
            }
            {
              let c0 = (column + 1);
              partial_total1_1 = partial_total1_1 + exp(in_x[(r0 * 8) + c0] - stat0);
            }
            {
              let c0 = (column + 2);
              partial_total1_2 = partial_total1_2 + exp(in_x[(r0 * 8) + c0] - stat0);
            }
            {
              let c0 = (column + 3);
              partial_total1_3 = partial_total1_3 + exp(in_x[(r0 * 8) + c0] - stat0);
            }
          }
          for (; column < 8; column++) {
            let c0 = column;
            partial_total1_0 = partial_total1_0 + exp(in_x[(r0 * 8) + c0] - stat0);
          }
        }
        let total1 = (partial_total1_0 + partial_total1_1) + (partial_total1_2 + partial_total1_3);
        let stat1: f32 = total1;

        {
          var column = 0;
          for (; column + 3 < 8; column += 4) {
            {
              let c0 = column;
              let e0: i32 = (r0 * 8) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
            {
              let c0 = (column + 1);
              let e0: i32 = (r0 * 8) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
            {
              let c0 = (column + 2);
              let e0: i32 = (r0 * 8) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
            {
              let c0 = (column + 3);
              let e0: i32 = (r0 * 8) + c0;
              let flat = e0;
              out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
            }
          }
          for (; column < 8; column++) {
            let c0 = column;
            let e0: i32 = (r0 * 8) + c0;
            let flat = e0;
            out_binary_1[flat] = exp(in_x[e0] - stat0) / stat1;
          }
        }
      }"
    `);
  });

  test('softmax that also writes its row max, hardware', () => {
    const x = input('x', [4, 64]);
    const rowMax = max(x, -1, { keepDims: true });
    const shifted = exp(sub(x, rowMax));
    const y = div(shifted, sum(shifted, -1, { keepDims: true }));
    expect(programWgsl({ rowMax, y }, HARDWARE, ['row'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: row (max, sum)
      // fuses 5 node(s):
      //   reduce fn="max" axes=[1] -> [4, 1] f32
      //   binary fn="sub" -> [4, 64] f32
      //   unary fn="exp" -> [4, 64] f32
      //   reduce fn="sum" axes=[1] -> [4, 1] f32
      //   binary fn="div" -> [4, 64] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 64] f32
      //   out_reduce_1 (read_write): reduce [4, 1] f32
      //   out_binary_2 (read_write): binary [4, 64] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_reduce_1: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out_binary_2: array<f32>;

      var<workgroup> scratch_f32: array<f32, 64>;

      fn weft_inf() -> f32 {
        var bits = 0x7f800000u;
        return bitcast<f32>(bits);
      }

      @compute @workgroup_size(64, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let row = i32(workgroup_index);
        if (row >= 4) {
          return;
        }
        let r0 = row;

        // max over the row (reduce)
        var partial_total0: f32 = -weft_inf();
        for (var column = i32(local_index); column < 64; column += 64) {
          let c0 = column;
          partial_total0 = max(partial_total0, in_x[(r0 * 64) + c0]);
        }
        scratch_f32[local_index] = partial_total0;
        workgroupBarrier();
        for (var stride = 32u; stride > 0u; stride = stride / 2u) {
          if (local_index < stride) {
            scratch_f32[local_index] = max(scratch_f32[local_index], scratch_f32[local_index + stride]);
          }
          workgroupBarrier();
        }
        let total0 = scratch_f32[0];
        workgroupBarrier();
        let stat0: f32 = total0;

        // sum over the row (reduce)
        var partial_total1: f32 = 0.0;
        for (var column = i32(local_index); column < 64; column += 64) {
          let c0 = column;
          partial_total1 = partial_total1 + exp(in_x[(r0 * 64) + c0] - stat0);
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
        let stat1: f32 = total1;

        if (local_index == 0u) {
          out_reduce_1[r0] = stat0;
        }
        for (var column = i32(local_index); column < 64; column += 64) {
          let c0 = column;
          let e0: i32 = (r0 * 64) + c0;
          let flat = e0;
          out_binary_2[flat] = exp(in_x[e0] - stat0) / stat1;
        }
      }"
    `);
  });
});
