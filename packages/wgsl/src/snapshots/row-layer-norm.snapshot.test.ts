// Inline WGSL snapshots of the row template for layer norm (mean, then variance of x − mean): the
// cooperative tree on hardware, one invocation per row on a software adapter.
// Refresh with `pnpm vitest run --project unit packages/wgsl/src/snapshots -u`.
import { add, input, mean, mul, param, rsqrt, sub } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { HARDWARE, programWgsl, SOFTWARE } from './snapshot-support.js';

function layerNorm(rows: number, columns: number) {
  const h = input('h', [rows, columns]);
  const centered = sub(h, mean(h, -1, { keepDims: true }));
  const variance = mean(mul(centered, centered), -1, { keepDims: true });
  const normalized = mul(centered, rsqrt(add(variance, 1e-5)));
  return { y: add(mul(normalized, param('gamma', [columns])), param('beta', [columns])) };
}

describe('row template, layer norm', () => {
  test('layer norm (mean, then variance of x − mean), hardware: cooperative tree', () => {
    expect(programWgsl(layerNorm(4, 64), HARDWARE, ['row'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: row (mean)
      // fuses 10 node(s):
      //   reduce fn="mean" axes=[1] -> [4, 1] f32
      //   binary fn="sub" -> [4, 64] f32
      //   binary fn="mul" -> [4, 64] f32
      //   reduce fn="mean" axes=[1] -> [4, 1] f32
      //   constant -> [] f32
      //   binary fn="add" -> [4, 1] f32
      //   unary fn="rsqrt" -> [4, 1] f32
      //   binary fn="mul" -> [4, 64] f32
      //   binary fn="mul" -> [4, 64] f32
      //   binary fn="add" -> [4, 64] f32
      // tensors:
      //   in_h (read_write): input "h" [4, 64] f32
      //   in_gamma (read_write): param "gamma" [64] f32
      //   in_beta (read_write): param "beta" [64] f32
      //   out_binary_1 (read_write): binary [4, 64] f32

      @group(0) @binding(0) var<storage, read_write> in_h: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_gamma: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_beta: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_binary_1: array<f32>;

      var<workgroup> scratch_f32: array<f32, 64>;

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
      }"
    `);
  });

  test('layer norm, software adapter: one invocation per row', () => {
    expect(programWgsl(layerNorm(4, 64), SOFTWARE, ['row'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: row (mean)
      // fuses 10 node(s):
      //   reduce fn="mean" axes=[1] -> [4, 1] f32
      //   binary fn="sub" -> [4, 64] f32
      //   binary fn="mul" -> [4, 64] f32
      //   reduce fn="mean" axes=[1] -> [4, 1] f32
      //   constant -> [] f32
      //   binary fn="add" -> [4, 1] f32
      //   unary fn="rsqrt" -> [4, 1] f32
      //   binary fn="mul" -> [4, 64] f32
      //   binary fn="mul" -> [4, 64] f32
      //   binary fn="add" -> [4, 64] f32
      // tensors:
      //   in_h (read_write): input "h" [4, 64] f32
      //   in_gamma (read_write): param "gamma" [64] f32
      //   in_beta (read_write): param "beta" [64] f32
      //   out_binary_1 (read_write): binary [4, 64] f32

      @group(0) @binding(0) var<storage, read_write> in_h: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_gamma: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_beta: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_binary_1: array<f32>;

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

        // mean over the row (reduce)
        var partial_total0_0: f32 = 0.0;
        var partial_total0_1: f32 = 0.0;
        var partial_total0_2: f32 = 0.0;
        var partial_total0_3: f32 = 0.0;
        {
          var column = 0;
          for (; column + 3 < 64; column += 4) {
            {
              let c0 = column;
              partial_total0_0 = partial_total0_0 + in_h[(r0 * 64) + c0];
            }
            {
              let c0 = (column + 1);
              partial_total0_1 = partial_total0_1 + in_h[(r0 * 64) + c0];
            }
            {
              let c0 = (column + 2);
              partial_total0_2 = partial_total0_2 + in_h[(r0 * 64) + c0];
            }
            {
              let c0 = (column + 3);
              partial_total0_3 = partial_total0_3 + in_h[(r0 * 64) + c0];
            }
          }
          for (; column < 64; column++) {
            let c0 = column;
            partial_total0_0 = partial_total0_0 + in_h[(r0 * 64) + c0];
          }
        }
        let total0 = (partial_total0_0 + partial_total0_1) + (partial_total0_2 + partial_total0_3);
        let stat0: f32 = total0 / f32(64);

        // mean over the row (reduce)
        var partial_total1_0: f32 = 0.0;
        var partial_total1_1: f32 = 0.0;
        var partial_total1_2: f32 = 0.0;
        var partial_total1_3: f32 = 0.0;
        {
          var column = 0;
          for (; column + 3 < 64; column += 4) {
            {
              let c0 = column;
              let v0: f32 = in_h[(r0 * 64) + c0] - stat0;
              partial_total1_0 = partial_total1_0 + v0 * v0;
            }
            {
              let c0 = (column + 1);
              let v0: f32 = in_h[(r0 * 64) + c0] - stat0;
              partial_total1_1 = partial_total1_1 + v0 * v0;
            }
            {
              let c0 = (column + 2);
              let v0: f32 = in_h[(r0 * 64) + c0] - stat0;
              partial_total1_2 = partial_total1_2 + v0 * v0;
            }
            {
              let c0 = (column + 3);
              let v0: f32 = in_h[(r0 * 64) + c0] - stat0;
              partial_total1_3 = partial_total1_3 + v0 * v0;
            }
          }
          for (; column < 64; column++) {
            let c0 = column;
            let v0: f32 = in_h[(r0 * 64) + c0] - stat0;
            partial_total1_0 = partial_total1_0 + v0 * v0;
          }
        }
        let total1 = (partial_total1_0 + partial_total1_1) + (partial_total1_2 + partial_total1_3);
        let stat1: f32 = total1 / f32(64);

        {
          var column = 0;
          for (; column + 3 < 64; column += 4) {
            {
              let c0 = column;
              let e0: i32 = (r0 * 64) + c0;
              let e1: f32 = ((in_h[e0] - stat0) * inverseSqrt(stat1 + 0.00001)) * in_gamma[c0];
              let flat = e0;
              out_binary_1[flat] = e1 + in_beta[c0];
            }
            {
              let c0 = (column + 1);
              let e0: i32 = (r0 * 64) + c0;
              let e1: f32 = ((in_h[e0] - stat0) * inverseSqrt(stat1 + 0.00001)) * in_gamma[c0];
              let flat = e0;
              out_binary_1[flat] = e1 + in_beta[c0];
            }
            {
              let c0 = (column + 2);
              let e0: i32 = (r0 * 64) + c0;
              let e1: f32 = ((in_h[e0] - stat0) * inverseSqrt(stat1 + 0.00001)) * in_gamma[c0];
              let flat = e0;
              out_binary_1[flat] = e1 + in_beta[c0];
            }
            {
              let c0 = (column + 3);
              let e0: i32 = (r0 * 64) + c0;
              let e1: f32 = ((in_h[e0] - stat0) * inverseSqrt(stat1 + 0.00001)) * in_gamma[c0];
              let flat = e0;
              out_binary_1[flat] = e1 + in_beta[c0];
            }
          }
          for (; column < 64; column++) {
            let c0 = column;
            let e0: i32 = (r0 * 64) + c0;
            let e1: f32 = ((in_h[e0] - stat0) * inverseSqrt(stat1 + 0.00001)) * in_gamma[c0];
            let flat = e0;
            out_binary_1[flat] = e1 + in_beta[c0];
          }
        }
      }"
    `);
  });
});
