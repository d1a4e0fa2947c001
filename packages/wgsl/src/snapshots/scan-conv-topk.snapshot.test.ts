// Inline WGSL snapshots of the opaque ops' templates: scan, conv1d, conv2d and top-k, on both
// device profiles. Refresh with `pnpm vitest run --project unit packages/wgsl/src/snapshots -u`.
import { conv1d, conv2d, cumsum, input, param, scan, topk } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { HARDWARE, programWgsl, SOFTWARE } from './snapshot-support.js';

const inclusiveSum = () => ({ y: cumsum(input('x', [4, 8])) });
const reverseExclusiveMax = () => ({
  y: scan(input('x', [4, 8]), { fn: 'max', exclusive: true, reverse: true }),
});
const conv1dPadded = () => ({
  y: conv1d(input('x', [1, 4, 8]), param('w', [4, 4, 3]), param('b', [4]), { padding: 1 }),
});
const conv1dCausalDepthwise = () => ({
  y: conv1d(input('x', [1, 4, 8]), param('w', [4, 1, 3]), undefined, { padding: 'causal', groups: 4 }),
});
const conv2dPadded = () => ({
  y: conv2d(input('x', [1, 2, 4, 4]), param('w', [4, 2, 3, 3]), param('b', [4]), { padding: 1 }),
});
const topTwo = () => {
  const { values, indices } = topk(input('x', [4, 8]), 2);
  return { values, indices };
};

describe('scan template', () => {
  test('inclusive cumsum, hardware', () => {
    expect(programWgsl(inclusiveSum(), HARDWARE, ['scan'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: scan (sum)
      // fuses 1 node(s):
      //   scan fn="sum" axis=1 -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_scan_1 (read_write): scan [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_scan_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let line = i32(workgroup_index * 256u + local_index);
        if (line >= 4) {
          return;
        }
        let l0 = line;
        var acc: f32 = 0.0;
        for (var step = 0; step < 8; step++) {
          let position = step;
          let v0: i32 = (l0 * 8) + position;
          let x = in_x[v0];
          let flat = v0;
          acc = acc + x;
          out_scan_1[flat] = acc;
        }
      }"
    `);
  });

  test('inclusive cumsum, software adapter', () => {
    expect(programWgsl(inclusiveSum(), SOFTWARE, ['scan'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: scan (sum)
      // fuses 1 node(s):
      //   scan fn="sum" axis=1 -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_scan_1 (read_write): scan [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_scan_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let line = i32(workgroup_index * 256u + local_index);
        if (line >= 4) {
          return;
        }
        let l0 = line;
        var acc: f32 = 0.0;
        for (var step = 0; step < 8; step++) {
          let position = step;
          let v0: i32 = (l0 * 8) + position;
          let x = in_x[v0];
          let flat = v0;
          acc = acc + x;
          out_scan_1[flat] = acc;
        }
      }"
    `);
  });

  test('reverse exclusive running max, hardware', () => {
    expect(programWgsl(reverseExclusiveMax(), HARDWARE, ['scan'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: scan (max)
      // fuses 1 node(s):
      //   scan fn="max" axis=1 -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_scan_1 (read_write): scan [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_scan_1: array<f32>;

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
        let line = i32(workgroup_index * 256u + local_index);
        if (line >= 4) {
          return;
        }
        let l0 = line;
        var acc: f32 = -weft_inf();
        for (var step = 0; step < 8; step++) {
          let position = 8 - 1 - step;
          let v0: i32 = (l0 * 8) + position;
          let x = in_x[v0];
          let flat = v0;
          out_scan_1[flat] = acc;
          acc = max(acc, x);
        }
      }"
    `);
  });

  test('reverse exclusive running max, software adapter', () => {
    expect(programWgsl(reverseExclusiveMax(), SOFTWARE, ['scan'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: scan (max)
      // fuses 1 node(s):
      //   scan fn="max" axis=1 -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_scan_1 (read_write): scan [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_scan_1: array<f32>;

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
        let line = i32(workgroup_index * 256u + local_index);
        if (line >= 4) {
          return;
        }
        let l0 = line;
        var acc: f32 = -weft_inf();
        for (var step = 0; step < 8; step++) {
          let position = 8 - 1 - step;
          let v0: i32 = (l0 * 8) + position;
          let x = in_x[v0];
          let flat = v0;
          out_scan_1[flat] = acc;
          acc = max(acc, x);
        }
      }"
    `);
  });
});

describe('conv templates', () => {
  test('conv1d, padding 1, with bias, hardware', () => {
    expect(programWgsl(conv1dPadded(), HARDWARE, ['conv1d'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: conv1d
      // fuses 1 node(s):
      //   conv1d -> [1, 4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [1, 4, 8] f32
      //   in_w (read_write): param "w" [4, 4, 3] f32
      //   in_b (read_write): param "b" [4] f32
      //   out_conv1d_1 (read_write): conv1d [1, 4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_conv1d_1: array<f32>;

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
        var o_rest = index;
        let o2 = o_rest % 8;
        o_rest = o_rest / 8;
        let o1 = o_rest % 4;
        let group = o1 / 4;
        var acc = 0.0;
        for (var ci = 0; ci < 4; ci++) {
          let channel = group * 4 + ci;
          for (var q0 = 0; q0 < 3; q0++) {
            let p0 = o2 * 1 - 1 + q0 * 1;
            if (p0 < 0 || p0 >= 8) {
              continue;
            }
            acc += in_x[(channel * 8) + p0] * in_w[(o1 * 12) + ((ci * 3) + q0)];
          }
        }
        acc += in_b[o1];
        out_conv1d_1[(o1 * 8) + o2] = acc;
      }"
    `);
  });

  test('conv1d, padding 1, with bias, software adapter', () => {
    expect(programWgsl(conv1dPadded(), SOFTWARE, ['conv1d'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: conv1d
      // fuses 1 node(s):
      //   conv1d -> [1, 4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [1, 4, 8] f32
      //   in_w (read_write): param "w" [4, 4, 3] f32
      //   in_b (read_write): param "b" [4] f32
      //   out_conv1d_1 (read_write): conv1d [1, 4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_conv1d_1: array<f32>;

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
        var o_rest = index;
        let o2 = o_rest % 8;
        o_rest = o_rest / 8;
        let o1 = o_rest % 4;
        let group = o1 / 4;
        var acc = 0.0;
        for (var ci = 0; ci < 4; ci++) {
          let channel = group * 4 + ci;
          for (var q0 = 0; q0 < 3; q0++) {
            let p0 = o2 * 1 - 1 + q0 * 1;
            if (p0 < 0 || p0 >= 8) {
              continue;
            }
            acc += in_x[(channel * 8) + p0] * in_w[(o1 * 12) + ((ci * 3) + q0)];
          }
        }
        acc += in_b[o1];
        out_conv1d_1[(o1 * 8) + o2] = acc;
      }"
    `);
  });

  test('conv1d, causal depthwise, hardware', () => {
    expect(programWgsl(conv1dCausalDepthwise(), HARDWARE, ['conv1d'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: conv1d
      // fuses 1 node(s):
      //   conv1d -> [1, 4, 8] f32
      // tensors:
      //   in_x (read_write): input "x" [1, 4, 8] f32
      //   in_w (read_write): param "w" [4, 1, 3] f32
      //   out_conv1d_1 (read_write): conv1d [1, 4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out_conv1d_1: array<f32>;

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
        var o_rest = index;
        let o2 = o_rest % 8;
        o_rest = o_rest / 8;
        let o1 = o_rest % 4;
        let group = o1 / 1;
        var acc = 0.0;
        for (var ci = 0; ci < 1; ci++) {
          let channel = group * 1 + ci;
          for (var q0 = 0; q0 < 3; q0++) {
            let p0 = o2 * 1 - 2 + q0 * 1;
            if (p0 < 0 || p0 >= 8) {
              continue;
            }
            acc += in_x[(channel * 8) + p0] * in_w[(o1 * 3) + q0];
          }
        }
        out_conv1d_1[(o1 * 8) + o2] = acc;
      }"
    `);
  });

  test('conv2d, padding 1, with bias, hardware', () => {
    expect(programWgsl(conv2dPadded(), HARDWARE, ['conv2d'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: conv2d
      // fuses 1 node(s):
      //   conv2d -> [1, 4, 4, 4] f32
      // tensors:
      //   in_x (read_write): input "x" [1, 2, 4, 4] f32
      //   in_w (read_write): param "w" [4, 2, 3, 3] f32
      //   in_b (read_write): param "b" [4] f32
      //   out_conv2d_1 (read_write): conv2d [1, 4, 4, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_conv2d_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let index = i32(workgroup_index * 256u + local_index);
        if (index >= 64) {
          return;
        }
        var o_rest = index;
        let o3 = o_rest % 4;
        o_rest = o_rest / 4;
        let o2 = o_rest % 4;
        o_rest = o_rest / 4;
        let o1 = o_rest % 4;
        let group = o1 / 4;
        var acc = 0.0;
        for (var ci = 0; ci < 2; ci++) {
          let channel = group * 2 + ci;
          for (var q0 = 0; q0 < 3; q0++) {
            let p0 = o2 * 1 - 1 + q0 * 1;
            if (p0 < 0 || p0 >= 4) {
              continue;
            }
              for (var q1 = 0; q1 < 3; q1++) {
                let p1 = o3 * 1 - 1 + q1 * 1;
                if (p1 < 0 || p1 >= 4) {
                  continue;
                }
              let v0: f32 = in_w[(o1 * 18) + ((ci * 9) + ((q0 * 3) + q1))];
              acc += in_x[(channel * 16) + ((p0 * 4) + p1)] * v0;
              }
          }
        }
        acc += in_b[o1];
        out_conv2d_1[(o1 * 16) + ((o2 * 4) + o3)] = acc;
      }"
    `);
  });

  test('conv2d, padding 1, with bias, software adapter', () => {
    expect(programWgsl(conv2dPadded(), SOFTWARE, ['conv2d'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: conv2d
      // fuses 1 node(s):
      //   conv2d -> [1, 4, 4, 4] f32
      // tensors:
      //   in_x (read_write): input "x" [1, 2, 4, 4] f32
      //   in_w (read_write): param "w" [4, 2, 3, 3] f32
      //   in_b (read_write): param "b" [4] f32
      //   out_conv2d_1 (read_write): conv2d [1, 4, 4, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_conv2d_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let index = i32(workgroup_index * 256u + local_index);
        if (index >= 64) {
          return;
        }
        var o_rest = index;
        let o3 = o_rest % 4;
        o_rest = o_rest / 4;
        let o2 = o_rest % 4;
        o_rest = o_rest / 4;
        let o1 = o_rest % 4;
        let group = o1 / 4;
        var acc = 0.0;
        for (var ci = 0; ci < 2; ci++) {
          let channel = group * 2 + ci;
          for (var q0 = 0; q0 < 3; q0++) {
            let p0 = o2 * 1 - 1 + q0 * 1;
            if (p0 < 0 || p0 >= 4) {
              continue;
            }
              for (var q1 = 0; q1 < 3; q1++) {
                let p1 = o3 * 1 - 1 + q1 * 1;
                if (p1 < 0 || p1 >= 4) {
                  continue;
                }
              let v0: f32 = in_w[(o1 * 18) + ((ci * 9) + ((q0 * 3) + q1))];
              acc += in_x[(channel * 16) + ((p0 * 4) + p1)] * v0;
              }
          }
        }
        acc += in_b[o1];
        out_conv2d_1[(o1 * 16) + ((o2 * 4) + o3)] = acc;
      }"
    `);
  });
});

describe('top-k template', () => {
  // The values and the indices are two outputs of the op, each written by a top-k kernel.
  test('top 2 values and indices per row, hardware', () => {
    expect(programWgsl(topTwo(), HARDWARE, ['topk', 'topk'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: topk
      // fuses 1 node(s):
      //   topk axis=1 -> [4, 2] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_topk_1 (read_write): topk [4, 2] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_topk_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let line = i32(workgroup_index * 256u + local_index);
        if (line >= 4) {
          return;
        }
        let l0 = line;
        var previous: f32 = 0.0;
        var previous_index = -1;
        for (var rank = 0; rank < 2; rank++) {
          var best: f32 = 0.0;
          var best_index = -1;
          for (var position = 0; position < 8; position++) {
            let candidate = in_x[(l0 * 8) + position];
            let after = previous_index < 0 || candidate < previous || (candidate == previous && position > previous_index);
            if (after && (best_index < 0 || candidate > best)) {
              best = candidate;
              best_index = position;
            }
          }
          out_topk_1[(l0 * 2) + rank] = best;
          previous = best;
          previous_index = best_index;
        }
      }

      // ---- next kernel ----

      // Weft kernel 1: topk
      // fuses 1 node(s):
      //   topk axis=1 -> [4, 2] i32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_topk_1 (read_write): topk [4, 2] i32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_topk_1: array<i32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let line = i32(workgroup_index * 256u + local_index);
        if (line >= 4) {
          return;
        }
        let l0 = line;
        var previous: f32 = 0.0;
        var previous_index = -1;
        for (var rank = 0; rank < 2; rank++) {
          var best: f32 = 0.0;
          var best_index = -1;
          for (var position = 0; position < 8; position++) {
            let candidate = in_x[(l0 * 8) + position];
            let after = previous_index < 0 || candidate < previous || (candidate == previous && position > previous_index);
            if (after && (best_index < 0 || candidate > best)) {
              best = candidate;
              best_index = position;
            }
          }
          out_topk_1[(l0 * 2) + rank] = best_index;
          previous = best;
          previous_index = best_index;
        }
      }"
    `);
  });

  test('top 2 values and indices per row, software adapter', () => {
    expect(programWgsl(topTwo(), SOFTWARE, ['topk', 'topk'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: topk
      // fuses 1 node(s):
      //   topk axis=1 -> [4, 2] f32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_topk_1 (read_write): topk [4, 2] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_topk_1: array<f32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let line = i32(workgroup_index * 256u + local_index);
        if (line >= 4) {
          return;
        }
        let l0 = line;
        var previous: f32 = 0.0;
        var previous_index = -1;
        for (var rank = 0; rank < 2; rank++) {
          var best: f32 = 0.0;
          var best_index = -1;
          for (var position = 0; position < 8; position++) {
            let candidate = in_x[(l0 * 8) + position];
            let after = previous_index < 0 || candidate < previous || (candidate == previous && position > previous_index);
            if (after && (best_index < 0 || candidate > best)) {
              best = candidate;
              best_index = position;
            }
          }
          out_topk_1[(l0 * 2) + rank] = best;
          previous = best;
          previous_index = best_index;
        }
      }

      // ---- next kernel ----

      // Weft kernel 1: topk
      // fuses 1 node(s):
      //   topk axis=1 -> [4, 2] i32
      // tensors:
      //   in_x (read_write): input "x" [4, 8] f32
      //   out_topk_1 (read_write): topk [4, 2] i32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_topk_1: array<i32>;

      @compute @workgroup_size(256, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let line = i32(workgroup_index * 256u + local_index);
        if (line >= 4) {
          return;
        }
        let l0 = line;
        var previous: f32 = 0.0;
        var previous_index = -1;
        for (var rank = 0; rank < 2; rank++) {
          var best: f32 = 0.0;
          var best_index = -1;
          for (var position = 0; position < 8; position++) {
            let candidate = in_x[(l0 * 8) + position];
            let after = previous_index < 0 || candidate < previous || (candidate == previous && position > previous_index);
            if (after && (best_index < 0 || candidate > best)) {
              best = candidate;
              best_index = position;
            }
          }
          out_topk_1[(l0 * 2) + rank] = best_index;
          previous = best;
          previous_index = best_index;
        }
      }"
    `);
  });
});
