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
      "// Weft kernel 0: template scan, anchor scan#13850865
      // fuses 1 node(s):
      //   scan#13850865 fn="sum" axis=1 -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input#5ddb48f4 [4, 8] f32
      //   out_scan_138508 (read_write): scan#13850865 [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_scan_138508: array<f32>;

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
          out_scan_138508[flat] = acc;
        }
      }"
    `);
  });

  test('inclusive cumsum, software adapter', () => {
    expect(programWgsl(inclusiveSum(), SOFTWARE, ['scan'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: template scan, anchor scan#13850865
      // fuses 1 node(s):
      //   scan#13850865 fn="sum" axis=1 -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input#5ddb48f4 [4, 8] f32
      //   out_scan_138508 (read_write): scan#13850865 [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_scan_138508: array<f32>;

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
          out_scan_138508[flat] = acc;
        }
      }"
    `);
  });

  test('reverse exclusive running max, hardware', () => {
    expect(programWgsl(reverseExclusiveMax(), HARDWARE, ['scan'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: template scan, anchor scan#31302788
      // fuses 1 node(s):
      //   scan#31302788 fn="max" axis=1 -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input#5ddb48f4 [4, 8] f32
      //   out_scan_313027 (read_write): scan#31302788 [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_scan_313027: array<f32>;

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
          out_scan_313027[flat] = acc;
          acc = max(acc, x);
        }
      }"
    `);
  });

  test('reverse exclusive running max, software adapter', () => {
    expect(programWgsl(reverseExclusiveMax(), SOFTWARE, ['scan'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: template scan, anchor scan#31302788
      // fuses 1 node(s):
      //   scan#31302788 fn="max" axis=1 -> [4, 8] f32
      // tensors:
      //   in_x (read_write): input#5ddb48f4 [4, 8] f32
      //   out_scan_313027 (read_write): scan#31302788 [4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_scan_313027: array<f32>;

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
          out_scan_313027[flat] = acc;
          acc = max(acc, x);
        }
      }"
    `);
  });
});

describe('conv templates', () => {
  test('conv1d, padding 1, with bias, hardware', () => {
    expect(programWgsl(conv1dPadded(), HARDWARE, ['conv1d'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: template conv1d, anchor conv1d#b6226c63
      // fuses 1 node(s):
      //   conv1d#b6226c63 -> [1, 4, 8] f32
      // tensors:
      //   in_x (read_write): input#636e6ad5 [1, 4, 8] f32
      //   in_w (read_write): param#b0f00aa5 [4, 4, 3] f32
      //   in_b (read_write): param#626f63f0 [4] f32
      //   out_conv1d_b6226c (read_write): conv1d#b6226c63 [1, 4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_conv1d_b6226c: array<f32>;

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
        o_rest = o_rest / 4;
        let o0 = o_rest;
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
        out_conv1d_b6226c[(o1 * 8) + o2] = acc;
      }"
    `);
  });

  test('conv1d, padding 1, with bias, software adapter', () => {
    expect(programWgsl(conv1dPadded(), SOFTWARE, ['conv1d'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: template conv1d, anchor conv1d#b6226c63
      // fuses 1 node(s):
      //   conv1d#b6226c63 -> [1, 4, 8] f32
      // tensors:
      //   in_x (read_write): input#636e6ad5 [1, 4, 8] f32
      //   in_w (read_write): param#b0f00aa5 [4, 4, 3] f32
      //   in_b (read_write): param#626f63f0 [4] f32
      //   out_conv1d_b6226c (read_write): conv1d#b6226c63 [1, 4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_conv1d_b6226c: array<f32>;

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
        o_rest = o_rest / 4;
        let o0 = o_rest;
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
        out_conv1d_b6226c[(o1 * 8) + o2] = acc;
      }"
    `);
  });

  test('conv1d, causal depthwise, hardware', () => {
    expect(programWgsl(conv1dCausalDepthwise(), HARDWARE, ['conv1d'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: template conv1d, anchor conv1d#d3e213a8
      // fuses 1 node(s):
      //   conv1d#d3e213a8 -> [1, 4, 8] f32
      // tensors:
      //   in_x (read_write): input#636e6ad5 [1, 4, 8] f32
      //   in_w (read_write): param#cdd27bc1 [4, 1, 3] f32
      //   out_conv1d_d3e213 (read_write): conv1d#d3e213a8 [1, 4, 8] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> out_conv1d_d3e213: array<f32>;

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
        o_rest = o_rest / 4;
        let o0 = o_rest;
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
        out_conv1d_d3e213[(o1 * 8) + o2] = acc;
      }"
    `);
  });

  test('conv2d, padding 1, with bias, hardware', () => {
    expect(programWgsl(conv2dPadded(), HARDWARE, ['conv2d'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: template conv2d, anchor conv2d#18c3c36e
      // fuses 1 node(s):
      //   conv2d#18c3c36e -> [1, 4, 4, 4] f32
      // tensors:
      //   in_x (read_write): input#009d205c [1, 2, 4, 4] f32
      //   in_w (read_write): param#83f54f8a [4, 2, 3, 3] f32
      //   in_b (read_write): param#626f63f0 [4] f32
      //   out_conv2d_18c3c3 (read_write): conv2d#18c3c36e [1, 4, 4, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_conv2d_18c3c3: array<f32>;

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
        o_rest = o_rest / 4;
        let o0 = o_rest;
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
              acc += in_x[(channel * 16) + ((p0 * 4) + p1)] * in_w[(o1 * 18) + ((ci * 9) + ((q0 * 3) + q1))];
              }
          }
        }
        acc += in_b[o1];
        out_conv2d_18c3c3[(o1 * 16) + ((o2 * 4) + o3)] = acc;
      }"
    `);
  });

  test('conv2d, padding 1, with bias, software adapter', () => {
    expect(programWgsl(conv2dPadded(), SOFTWARE, ['conv2d'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: template conv2d, anchor conv2d#18c3c36e
      // fuses 1 node(s):
      //   conv2d#18c3c36e -> [1, 4, 4, 4] f32
      // tensors:
      //   in_x (read_write): input#009d205c [1, 2, 4, 4] f32
      //   in_w (read_write): param#83f54f8a [4, 2, 3, 3] f32
      //   in_b (read_write): param#626f63f0 [4] f32
      //   out_conv2d_18c3c3 (read_write): conv2d#18c3c36e [1, 4, 4, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_w: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_b: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_conv2d_18c3c3: array<f32>;

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
        o_rest = o_rest / 4;
        let o0 = o_rest;
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
              acc += in_x[(channel * 16) + ((p0 * 4) + p1)] * in_w[(o1 * 18) + ((ci * 9) + ((q0 * 3) + q1))];
              }
          }
        }
        acc += in_b[o1];
        out_conv2d_18c3c3[(o1 * 16) + ((o2 * 4) + o3)] = acc;
      }"
    `);
  });
});

describe('top-k template', () => {
  // The values and the indices are two outputs of the op, each written by a top-k kernel.
  test('top 2 values and indices per row, hardware', () => {
    expect(programWgsl(topTwo(), HARDWARE, ['topk', 'topk'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: template topk, anchor topk#5a8b017d
      // fuses 1 node(s):
      //   topk#5a8b017d axis=1 -> [4, 2] f32
      // tensors:
      //   in_x (read_write): input#5ddb48f4 [4, 8] f32
      //   out_topk_5a8b01 (read_write): topk#5a8b017d [4, 2] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_topk_5a8b01: array<f32>;

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
          out_topk_5a8b01[(l0 * 2) + rank] = best;
          previous = best;
          previous_index = best_index;
        }
      }

      // ---- next kernel ----

      // Weft kernel 1: template topk, anchor topk#016efd8e
      // fuses 1 node(s):
      //   topk#016efd8e axis=1 -> [4, 2] i32
      // tensors:
      //   in_x (read_write): input#5ddb48f4 [4, 8] f32
      //   out_topk_016efd (read_write): topk#016efd8e [4, 2] i32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_topk_016efd: array<i32>;

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
          out_topk_016efd[(l0 * 2) + rank] = best_index;
          previous = best;
          previous_index = best_index;
        }
      }"
    `);
  });

  test('top 2 values and indices per row, software adapter', () => {
    expect(programWgsl(topTwo(), SOFTWARE, ['topk', 'topk'])).toMatchInlineSnapshot(`
      "// Weft kernel 0: template topk, anchor topk#5a8b017d
      // fuses 1 node(s):
      //   topk#5a8b017d axis=1 -> [4, 2] f32
      // tensors:
      //   in_x (read_write): input#5ddb48f4 [4, 8] f32
      //   out_topk_5a8b01 (read_write): topk#5a8b017d [4, 2] f32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_topk_5a8b01: array<f32>;

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
          out_topk_5a8b01[(l0 * 2) + rank] = best;
          previous = best;
          previous_index = best_index;
        }
      }

      // ---- next kernel ----

      // Weft kernel 1: template topk, anchor topk#016efd8e
      // fuses 1 node(s):
      //   topk#016efd8e axis=1 -> [4, 2] i32
      // tensors:
      //   in_x (read_write): input#5ddb48f4 [4, 8] f32
      //   out_topk_016efd (read_write): topk#016efd8e [4, 2] i32

      @group(0) @binding(0) var<storage, read_write> in_x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out_topk_016efd: array<i32>;

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
          out_topk_016efd[(l0 * 2) + rank] = best_index;
          previous = best;
          previous_index = best_index;
        }
      }"
    `);
  });
});
