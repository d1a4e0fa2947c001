// Inline WGSL snapshots of the split-keys (flash decoding) attention kernel: one query against 64
// keys, the keys split over the invocations of a workgroup, on both device profiles. Refresh with
// `pnpm vitest run --project unit packages/attention/src/kernel/snapshots -u`.
import { describe, expect, test } from 'vitest';
import { sigmoid } from '../../index.js';
import { attentionWgsl, DIM, HARDWARE, HEADS, SOFTWARE } from './snapshot-support.js';

const decode = { queries: 1, keys: 64 };
const softmaxDecode = { heads: HEADS, headDim: DIM, name: 'decode' };
const gqaDecode = { heads: 4, kvHeads: 2, headDim: DIM, name: 'gqa-decode' };
const sigmoidDecode = { heads: HEADS, headDim: DIM, normalizer: sigmoid(), name: 'sigmoid-decode' };

describe('attention kernel, split keys (decoding)', () => {
  test('softmax, one query, hardware', () => {
    const wgsl = attentionWgsl(softmaxDecode, HARDWARE, decode);
    expect(wgsl).toContain('part_acc');
    expect(wgsl).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#914a80bc
      // fuses 1 node(s):
      //   attention#914a80bc -> [1, 2, 1, 4] f32
      // tensors:
      //   in_q (read_write): input#679c1b4a [1, 2, 1, 4] f32
      //   in_k (read_write): input#29f7fa7b [1, 2, 64, 4] f32
      //   in_v (read_write): input#624dce02 [1, 2, 64, 4] f32
      //   out_attention_914a80 (read_write): attention#914a80bc [1, 2, 1, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_914a80: array<f32>;

      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      @compute @workgroup_size(4, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 1;
        let nk = 64;
        let q_i = i32(workgroup_index) % nq;
        let bh = i32(workgroup_index) / nq;
        if (bh >= 1 * 2) {
          return;
        }
        let h_i = bh % 2;
        let b_i = bh / 2;
        let kv_head_i = h_i * 2 / 2;
        let value_head_i = h_i * 2 / 2;
        let kv_row = (b_i * 2 + h_i / 1) * nk;
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_flat = (bh * nq + q_i) * 4;
        var query_row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          var rotated = 0.0;
          rotated = in_q[query_flat + d];
          query_row[d] = rotated;
        }
        var acc: array<f32, 4>;
        var m_run = -3.4028234e38;
        var l_run = 0.0;
        var score_max = -3.4028234e38;
        var chunk_kind = 0u;
        if (chunk_k0 <= chunk_k1) {
          chunk_kind = 1u;
        }
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            var raw = 0.0;
            for (var d = 0; d < 4; d++) {
              var rotated = 0.0;
              rotated = in_k[(kv_row + key_i) * 4 + d];
              raw += query_row[d] * rotated;
            }
            let s = raw * 0.5;
            score_max = max(score_max, s);
            if (s > m_run) {
              let correction = exp(m_run - s);
              l_run *= correction;
              for (var d = 0; d < 4; d++) {
                acc[d] *= correction;
              }
              m_run = s;
            }
            let p = exp(s - m_run);
            l_run += p;
            for (var d = 0; d < 4; d++) {
              acc[d] += p * in_v[(kv_row + key_i) * 4 + d];
            }
          }
        }
        part_m[local_index] = m_run;
        part_l[local_index] = l_run;
        part_max[local_index] = score_max;
        for (var d = 0; d < 4; d++) {
          part_acc[local_index * 4u + u32(d)] = acc[d];
        }
        workgroupBarrier();
        var merged_max = -3.4028234e38;
        for (var c = 0; c < 4; c++) {
          merged_max = max(merged_max, part_m[c]);
        }
        var merged_l = 0.0;
        for (var c = 0; c < 4; c++) {
          merged_l += part_l[c] * exp(part_m[c] - merged_max);
        }
        for (var d = i32(local_index); d < 4; d += 4) {
          var total = 0.0;
          for (var c = 0; c < 4; c++) {
            total += part_acc[c * 4 + d] * exp(part_m[c] - merged_max);
          }
          out_attention_914a80[(bh * nq + q_i) * 4 + d] = total * select(0.0, 1.0 / merged_l, merged_l > 0.0);
        }
      }"
    `);
  });

  test('softmax, one query, software adapter', () => {
    expect(attentionWgsl(softmaxDecode, SOFTWARE, decode)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#914a80bc
      // fuses 1 node(s):
      //   attention#914a80bc -> [1, 2, 1, 4] f32
      // tensors:
      //   in_q (read_write): input#679c1b4a [1, 2, 1, 4] f32
      //   in_k (read_write): input#29f7fa7b [1, 2, 64, 4] f32
      //   in_v (read_write): input#624dce02 [1, 2, 64, 4] f32
      //   out_attention_914a80 (read_write): attention#914a80bc [1, 2, 1, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_914a80: array<f32>;

      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      @compute @workgroup_size(4, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 1;
        let nk = 64;
        let q_i = i32(workgroup_index) % nq;
        let bh = i32(workgroup_index) / nq;
        if (bh >= 1 * 2) {
          return;
        }
        let h_i = bh % 2;
        let b_i = bh / 2;
        let kv_head_i = h_i * 2 / 2;
        let value_head_i = h_i * 2 / 2;
        let kv_row = (b_i * 2 + h_i / 1) * nk;
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_flat = (bh * nq + q_i) * 4;
        var query_row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          var rotated = 0.0;
          rotated = in_q[query_flat + d];
          query_row[d] = rotated;
        }
        var acc: array<f32, 4>;
        var m_run = -3.4028234e38;
        var l_run = 0.0;
        var score_max = -3.4028234e38;
        var chunk_kind = 0u;
        if (chunk_k0 <= chunk_k1) {
          chunk_kind = 1u;
        }
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            var raw = 0.0;
            for (var d = 0; d < 4; d++) {
              var rotated = 0.0;
              rotated = in_k[(kv_row + key_i) * 4 + d];
              raw += query_row[d] * rotated;
            }
            let s = raw * 0.5;
            score_max = max(score_max, s);
            if (s > m_run) {
              let correction = exp(m_run - s);
              l_run *= correction;
              for (var d = 0; d < 4; d++) {
                acc[d] *= correction;
              }
              m_run = s;
            }
            let p = exp(s - m_run);
            l_run += p;
            for (var d = 0; d < 4; d++) {
              acc[d] += p * in_v[(kv_row + key_i) * 4 + d];
            }
          }
        }
        part_m[local_index] = m_run;
        part_l[local_index] = l_run;
        part_max[local_index] = score_max;
        for (var d = 0; d < 4; d++) {
          part_acc[local_index * 4u + u32(d)] = acc[d];
        }
        workgroupBarrier();
        var merged_max = -3.4028234e38;
        for (var c = 0; c < 4; c++) {
          merged_max = max(merged_max, part_m[c]);
        }
        var merged_l = 0.0;
        for (var c = 0; c < 4; c++) {
          merged_l += part_l[c] * exp(part_m[c] - merged_max);
        }
        for (var d = i32(local_index); d < 4; d += 4) {
          var total = 0.0;
          for (var c = 0; c < 4; c++) {
            total += part_acc[c * 4 + d] * exp(part_m[c] - merged_max);
          }
          out_attention_914a80[(bh * nq + q_i) * 4 + d] = total * select(0.0, 1.0 / merged_l, merged_l > 0.0);
        }
      }"
    `);
  });

  test('softmax with grouped KV heads, one query, hardware', () => {
    expect(attentionWgsl(gqaDecode, HARDWARE, decode)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#064bae78
      // fuses 1 node(s):
      //   attention#064bae78 -> [1, 4, 1, 4] f32
      // tensors:
      //   in_q (read_write): input#8ba6638e [1, 4, 1, 4] f32
      //   in_k (read_write): input#29f7fa7b [1, 2, 64, 4] f32
      //   in_v (read_write): input#624dce02 [1, 2, 64, 4] f32
      //   out_attention_064bae (read_write): attention#064bae78 [1, 4, 1, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_064bae: array<f32>;

      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      @compute @workgroup_size(4, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 1;
        let nk = 64;
        let q_i = i32(workgroup_index) % nq;
        let bh = i32(workgroup_index) / nq;
        if (bh >= 1 * 4) {
          return;
        }
        let h_i = bh % 4;
        let b_i = bh / 4;
        let kv_head_i = h_i * 2 / 4;
        let value_head_i = h_i * 2 / 4;
        let kv_row = (b_i * 2 + h_i / 2) * nk;
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_flat = (bh * nq + q_i) * 4;
        var query_row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          var rotated = 0.0;
          rotated = in_q[query_flat + d];
          query_row[d] = rotated;
        }
        var acc: array<f32, 4>;
        var m_run = -3.4028234e38;
        var l_run = 0.0;
        var score_max = -3.4028234e38;
        var chunk_kind = 0u;
        if (chunk_k0 <= chunk_k1) {
          chunk_kind = 1u;
        }
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            var raw = 0.0;
            for (var d = 0; d < 4; d++) {
              var rotated = 0.0;
              rotated = in_k[(kv_row + key_i) * 4 + d];
              raw += query_row[d] * rotated;
            }
            let s = raw * 0.5;
            score_max = max(score_max, s);
            if (s > m_run) {
              let correction = exp(m_run - s);
              l_run *= correction;
              for (var d = 0; d < 4; d++) {
                acc[d] *= correction;
              }
              m_run = s;
            }
            let p = exp(s - m_run);
            l_run += p;
            for (var d = 0; d < 4; d++) {
              acc[d] += p * in_v[(kv_row + key_i) * 4 + d];
            }
          }
        }
        part_m[local_index] = m_run;
        part_l[local_index] = l_run;
        part_max[local_index] = score_max;
        for (var d = 0; d < 4; d++) {
          part_acc[local_index * 4u + u32(d)] = acc[d];
        }
        workgroupBarrier();
        var merged_max = -3.4028234e38;
        for (var c = 0; c < 4; c++) {
          merged_max = max(merged_max, part_m[c]);
        }
        var merged_l = 0.0;
        for (var c = 0; c < 4; c++) {
          merged_l += part_l[c] * exp(part_m[c] - merged_max);
        }
        for (var d = i32(local_index); d < 4; d += 4) {
          var total = 0.0;
          for (var c = 0; c < 4; c++) {
            total += part_acc[c * 4 + d] * exp(part_m[c] - merged_max);
          }
          out_attention_064bae[(bh * nq + q_i) * 4 + d] = total * select(0.0, 1.0 / merged_l, merged_l > 0.0);
        }
      }"
    `);
  });

  test('sigmoid, one query, hardware', () => {
    expect(attentionWgsl(sigmoidDecode, HARDWARE, decode)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#97e1b629
      // fuses 1 node(s):
      //   attention#97e1b629 -> [1, 2, 1, 4] f32
      // tensors:
      //   in_q (read_write): input#679c1b4a [1, 2, 1, 4] f32
      //   in_k (read_write): input#29f7fa7b [1, 2, 64, 4] f32
      //   in_v (read_write): input#624dce02 [1, 2, 64, 4] f32
      //   out_attention_97e1b6 (read_write): attention#97e1b629 [1, 2, 1, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_97e1b6: array<f32>;

      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      @compute @workgroup_size(4, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 1;
        let nk = 64;
        let q_i = i32(workgroup_index) % nq;
        let bh = i32(workgroup_index) / nq;
        if (bh >= 1 * 2) {
          return;
        }
        let h_i = bh % 2;
        let b_i = bh / 2;
        let kv_head_i = h_i * 2 / 2;
        let value_head_i = h_i * 2 / 2;
        let kv_row = (b_i * 2 + h_i / 1) * nk;
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_flat = (bh * nq + q_i) * 4;
        var query_row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          var rotated = 0.0;
          rotated = in_q[query_flat + d];
          query_row[d] = rotated;
        }
        var acc: array<f32, 4>;
        var m_run = -3.4028234e38;
        var l_run = 0.0;
        var score_max = -3.4028234e38;
        let bias = -4.1588830833596715;
        var chunk_kind = 0u;
        if (chunk_k0 <= chunk_k1) {
          chunk_kind = 1u;
        }
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            var raw = 0.0;
            for (var d = 0; d < 4; d++) {
              var rotated = 0.0;
              rotated = in_k[(kv_row + key_i) * 4 + d];
              raw += query_row[d] * rotated;
            }
            let s = raw * 0.5;
            score_max = max(score_max, s);
            let x = s + bias;
            let e = exp(-abs(x));
            let w = select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
            for (var d = 0; d < 4; d++) {
              acc[d] += w * in_v[(kv_row + key_i) * 4 + d];
            }
          }
        }
        part_m[local_index] = m_run;
        part_l[local_index] = l_run;
        part_max[local_index] = score_max;
        for (var d = 0; d < 4; d++) {
          part_acc[local_index * 4u + u32(d)] = acc[d];
        }
        workgroupBarrier();
        var merged_max = -3.4028234e38;
        for (var c = 0; c < 4; c++) {
          merged_max = max(merged_max, part_m[c]);
        }
        var merged_l = 0.0;
        for (var c = 0; c < 4; c++) {
          merged_l += part_l[c] * 1.0;
        }
        for (var d = i32(local_index); d < 4; d += 4) {
          var total = 0.0;
          for (var c = 0; c < 4; c++) {
            total += part_acc[c * 4 + d] * 1.0;
          }
          out_attention_97e1b6[(bh * nq + q_i) * 4 + d] = total * 1.0;
        }
      }"
    `);
  });

  test('sigmoid, one query, software adapter', () => {
    expect(attentionWgsl(sigmoidDecode, SOFTWARE, decode)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#97e1b629
      // fuses 1 node(s):
      //   attention#97e1b629 -> [1, 2, 1, 4] f32
      // tensors:
      //   in_q (read_write): input#679c1b4a [1, 2, 1, 4] f32
      //   in_k (read_write): input#29f7fa7b [1, 2, 64, 4] f32
      //   in_v (read_write): input#624dce02 [1, 2, 64, 4] f32
      //   out_attention_97e1b6 (read_write): attention#97e1b629 [1, 2, 1, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_97e1b6: array<f32>;

      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      @compute @workgroup_size(4, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 1;
        let nk = 64;
        let q_i = i32(workgroup_index) % nq;
        let bh = i32(workgroup_index) / nq;
        if (bh >= 1 * 2) {
          return;
        }
        let h_i = bh % 2;
        let b_i = bh / 2;
        let kv_head_i = h_i * 2 / 2;
        let value_head_i = h_i * 2 / 2;
        let kv_row = (b_i * 2 + h_i / 1) * nk;
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_flat = (bh * nq + q_i) * 4;
        var query_row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          var rotated = 0.0;
          rotated = in_q[query_flat + d];
          query_row[d] = rotated;
        }
        var acc: array<f32, 4>;
        var m_run = -3.4028234e38;
        var l_run = 0.0;
        var score_max = -3.4028234e38;
        let bias = -4.1588830833596715;
        var chunk_kind = 0u;
        if (chunk_k0 <= chunk_k1) {
          chunk_kind = 1u;
        }
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            var raw = 0.0;
            for (var d = 0; d < 4; d++) {
              var rotated = 0.0;
              rotated = in_k[(kv_row + key_i) * 4 + d];
              raw += query_row[d] * rotated;
            }
            let s = raw * 0.5;
            score_max = max(score_max, s);
            let x = s + bias;
            let e = exp(-abs(x));
            let w = select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
            for (var d = 0; d < 4; d++) {
              acc[d] += w * in_v[(kv_row + key_i) * 4 + d];
            }
          }
        }
        part_m[local_index] = m_run;
        part_l[local_index] = l_run;
        part_max[local_index] = score_max;
        for (var d = 0; d < 4; d++) {
          part_acc[local_index * 4u + u32(d)] = acc[d];
        }
        workgroupBarrier();
        var merged_max = -3.4028234e38;
        for (var c = 0; c < 4; c++) {
          merged_max = max(merged_max, part_m[c]);
        }
        var merged_l = 0.0;
        for (var c = 0; c < 4; c++) {
          merged_l += part_l[c] * 1.0;
        }
        for (var d = i32(local_index); d < 4; d += 4) {
          var total = 0.0;
          for (var c = 0; c < 4; c++) {
            total += part_acc[c * 4 + d] * 1.0;
          }
          out_attention_97e1b6[(bh * nq + q_i) * 4 + d] = total * 1.0;
        }
      }"
    `);
  });
});
