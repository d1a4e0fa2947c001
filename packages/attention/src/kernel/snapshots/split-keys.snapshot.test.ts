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
      "// Weft kernel 0: decode - attention (softmax)
      // fuses 1 node(s):
      //   attention "decode" -> [1, 2, 1, 4] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 1, 4] f32
      //   in_k (read): input "k" [1, 2, 64, 4] f32
      //   in_v (read): input "v" [1, 2, 64, 4] f32
      //   out_decode (read_write): attention "decode" [1, 2, 1, 4] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_decode: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      // ---- helpers ----
      // The most negative finite f32: a running max before any key (no reliance on infinities).
      const lowest_f32 = -3.4028234e38;

      // What one workgroup works on: lengths, batch·head, query block and K/V rows.
      struct Block {
        nq: i32,
        bh: i32,
        kv_row: i32,
        q_i: i32,
      }

      // Query row q_i, prepared (QK norm, RoPE).
      fn load_query_row(block: Block) -> array<f32, 4> {
        let nq = block.nq;
        let bh = block.bh;
        let q_i = block.q_i;
        let query_flat = (bh * nq + q_i) * 4;
        var row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          row[d] = in_q[query_flat + d];
        }
        return row;
      }

      // A score and whether the mask keeps it.
      struct Score {
        value: f32,
        kept: bool,
      }

      // The score of the query row against key key_i, and whether the mask keeps the pair
      // (chunk_kind 1: a partial chunk, where the mask runs; 2: every pair of the chunk is kept).
      fn score_key(block: Block, query_row: array<f32, 4>, key_i: i32) -> Score {
        let kv_row = block.kv_row;
        var raw = 0.0;
        for (var d = 0; d < 4; d++) {
          let key_element = in_k[(kv_row + key_i) * 4 + d];
          raw += query_row[d] * key_element;
        }
        return Score(raw * 0.5, true);
      }

      // The kind of the key chunk [chunk_k0, chunk_k1] under the mask block rule (0: every pair masked).
      fn classify_chunk(chunk_k0: i32, chunk_k1: i32) -> u32 {
        return select(0u, 1u, chunk_k0 <= chunk_k1);
      }

      // ---- entry point ----
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
        if (bh >= 2) {
          return;
        }
        let kv_row = bh * nk;
        let block = Block(nq, bh, kv_row, q_i);
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_row = load_query_row(block);
        var acc: array<f32, 4>;
        var m_run = lowest_f32;
        var l_run = 0.0;
        var score_max = lowest_f32;
        let chunk_kind = classify_chunk(chunk_k0, chunk_k1);
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            let score = score_key(block, query_row, key_i);
            if (!score.kept) {
              continue;
            }
            let s = score.value;
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
        var merged_max = lowest_f32;
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
          out_decode[(bh * nq + q_i) * 4 + d] = total * select(0.0, 1.0 / merged_l, merged_l > 0.0);
        }
      }"
    `);
  });

  test('softmax, one query, software adapter', () => {
    expect(attentionWgsl(softmaxDecode, SOFTWARE, decode)).toMatchInlineSnapshot(`
      "// Weft kernel 0: decode - attention (softmax)
      // fuses 1 node(s):
      //   attention "decode" -> [1, 2, 1, 4] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 1, 4] f32
      //   in_k (read): input "k" [1, 2, 64, 4] f32
      //   in_v (read): input "v" [1, 2, 64, 4] f32
      //   out_decode (read_write): attention "decode" [1, 2, 1, 4] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_decode: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      // ---- helpers ----
      // The most negative finite f32: a running max before any key (no reliance on infinities).
      const lowest_f32 = -3.4028234e38;

      // What one workgroup works on: lengths, batch·head, query block and K/V rows.
      struct Block {
        nq: i32,
        bh: i32,
        kv_row: i32,
        q_i: i32,
      }

      // Query row q_i, prepared (QK norm, RoPE).
      fn load_query_row(block: Block) -> array<f32, 4> {
        let nq = block.nq;
        let bh = block.bh;
        let q_i = block.q_i;
        let query_flat = (bh * nq + q_i) * 4;
        var row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          row[d] = in_q[query_flat + d];
        }
        return row;
      }

      // A score and whether the mask keeps it.
      struct Score {
        value: f32,
        kept: bool,
      }

      // The score of the query row against key key_i, and whether the mask keeps the pair
      // (chunk_kind 1: a partial chunk, where the mask runs; 2: every pair of the chunk is kept).
      fn score_key(block: Block, query_row: array<f32, 4>, key_i: i32) -> Score {
        let kv_row = block.kv_row;
        var raw = 0.0;
        for (var d = 0; d < 4; d++) {
          let key_element = in_k[(kv_row + key_i) * 4 + d];
          raw += query_row[d] * key_element;
        }
        return Score(raw * 0.5, true);
      }

      // The kind of the key chunk [chunk_k0, chunk_k1] under the mask block rule (0: every pair masked).
      fn classify_chunk(chunk_k0: i32, chunk_k1: i32) -> u32 {
        return select(0u, 1u, chunk_k0 <= chunk_k1);
      }

      // ---- entry point ----
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
        if (bh >= 2) {
          return;
        }
        let kv_row = bh * nk;
        let block = Block(nq, bh, kv_row, q_i);
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_row = load_query_row(block);
        var acc: array<f32, 4>;
        var m_run = lowest_f32;
        var l_run = 0.0;
        var score_max = lowest_f32;
        let chunk_kind = classify_chunk(chunk_k0, chunk_k1);
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            let score = score_key(block, query_row, key_i);
            if (!score.kept) {
              continue;
            }
            let s = score.value;
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
        var merged_max = lowest_f32;
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
          out_decode[(bh * nq + q_i) * 4 + d] = total * select(0.0, 1.0 / merged_l, merged_l > 0.0);
        }
      }"
    `);
  });

  test('softmax with grouped KV heads, one query, hardware', () => {
    expect(attentionWgsl(gqaDecode, HARDWARE, decode)).toMatchInlineSnapshot(`
      "// Weft kernel 0: gqa-decode - attention (softmax)
      // fuses 1 node(s):
      //   attention "gqa-decode" -> [1, 4, 1, 4] f32
      // tensors:
      //   in_q (read): input "q" [1, 4, 1, 4] f32
      //   in_k (read): input "k" [1, 2, 64, 4] f32
      //   in_v (read): input "v" [1, 2, 64, 4] f32
      //   out_gqa_decode (read_write): attention "gqa-decode" [1, 4, 1, 4] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_gqa_decode: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      // ---- helpers ----
      // The most negative finite f32: a running max before any key (no reliance on infinities).
      const lowest_f32 = -3.4028234e38;

      // What one workgroup works on: lengths, batch·head, query block and K/V rows.
      struct Block {
        nq: i32,
        bh: i32,
        kv_row: i32,
        q_i: i32,
      }

      // Query row q_i, prepared (QK norm, RoPE).
      fn load_query_row(block: Block) -> array<f32, 4> {
        let nq = block.nq;
        let bh = block.bh;
        let q_i = block.q_i;
        let query_flat = (bh * nq + q_i) * 4;
        var row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          row[d] = in_q[query_flat + d];
        }
        return row;
      }

      // A score and whether the mask keeps it.
      struct Score {
        value: f32,
        kept: bool,
      }

      // The score of the query row against key key_i, and whether the mask keeps the pair
      // (chunk_kind 1: a partial chunk, where the mask runs; 2: every pair of the chunk is kept).
      fn score_key(block: Block, query_row: array<f32, 4>, key_i: i32) -> Score {
        let kv_row = block.kv_row;
        var raw = 0.0;
        for (var d = 0; d < 4; d++) {
          let key_element = in_k[(kv_row + key_i) * 4 + d];
          raw += query_row[d] * key_element;
        }
        return Score(raw * 0.5, true);
      }

      // The kind of the key chunk [chunk_k0, chunk_k1] under the mask block rule (0: every pair masked).
      fn classify_chunk(chunk_k0: i32, chunk_k1: i32) -> u32 {
        return select(0u, 1u, chunk_k0 <= chunk_k1);
      }

      // ---- entry point ----
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
        if (bh >= 4) {
          return;
        }
        let h_i = bh % 4;
        let b_i = bh / 4;
        let kv_head_i = h_i / 2;
        let kv_row = (b_i * 2 + kv_head_i) * nk;
        let block = Block(nq, bh, kv_row, q_i);
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_row = load_query_row(block);
        var acc: array<f32, 4>;
        var m_run = lowest_f32;
        var l_run = 0.0;
        var score_max = lowest_f32;
        let chunk_kind = classify_chunk(chunk_k0, chunk_k1);
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            let score = score_key(block, query_row, key_i);
            if (!score.kept) {
              continue;
            }
            let s = score.value;
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
        var merged_max = lowest_f32;
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
          out_gqa_decode[(bh * nq + q_i) * 4 + d] = total * select(0.0, 1.0 / merged_l, merged_l > 0.0);
        }
      }"
    `);
  });

  test('sigmoid, one query, hardware', () => {
    expect(attentionWgsl(sigmoidDecode, HARDWARE, decode)).toMatchInlineSnapshot(`
      "// Weft kernel 0: sigmoid-decode - attention (sigmoid)
      // fuses 1 node(s):
      //   attention "sigmoid-decode" -> [1, 2, 1, 4] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 1, 4] f32
      //   in_k (read): input "k" [1, 2, 64, 4] f32
      //   in_v (read): input "v" [1, 2, 64, 4] f32
      //   out_sigmoid_decode (read_write): attention "sigmoid-decode" [1, 2, 1, 4] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_sigmoid_decode: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      // ---- helpers ----
      const LN_64 = 4.1588830833596715; // ln(64)

      fn weft_sigmoid(x: f32) -> f32 {
        let e = exp(-abs(x));
        return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
      }

      // The most negative finite f32: a running max before any key (no reliance on infinities).
      const lowest_f32 = -3.4028234e38;

      // What one workgroup works on: lengths, batch·head, query block and K/V rows.
      struct Block {
        nq: i32,
        bh: i32,
        kv_row: i32,
        q_i: i32,
      }

      // Query row q_i, prepared (QK norm, RoPE).
      fn load_query_row(block: Block) -> array<f32, 4> {
        let nq = block.nq;
        let bh = block.bh;
        let q_i = block.q_i;
        let query_flat = (bh * nq + q_i) * 4;
        var row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          row[d] = in_q[query_flat + d];
        }
        return row;
      }

      // A score and whether the mask keeps it.
      struct Score {
        value: f32,
        kept: bool,
      }

      // The score of the query row against key key_i, and whether the mask keeps the pair
      // (chunk_kind 1: a partial chunk, where the mask runs; 2: every pair of the chunk is kept).
      fn score_key(block: Block, query_row: array<f32, 4>, key_i: i32) -> Score {
        let kv_row = block.kv_row;
        var raw = 0.0;
        for (var d = 0; d < 4; d++) {
          let key_element = in_k[(kv_row + key_i) * 4 + d];
          raw += query_row[d] * key_element;
        }
        return Score(raw * 0.5, true);
      }

      // The kind of the key chunk [chunk_k0, chunk_k1] under the mask block rule (0: every pair masked).
      fn classify_chunk(chunk_k0: i32, chunk_k1: i32) -> u32 {
        return select(0u, 1u, chunk_k0 <= chunk_k1);
      }

      // ---- entry point ----
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
        if (bh >= 2) {
          return;
        }
        let kv_row = bh * nk;
        let block = Block(nq, bh, kv_row, q_i);
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_row = load_query_row(block);
        var acc: array<f32, 4>;
        var m_run = lowest_f32;
        var l_run = 0.0;
        var score_max = lowest_f32;
        let bias = -LN_64;
        let chunk_kind = classify_chunk(chunk_k0, chunk_k1);
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            let score = score_key(block, query_row, key_i);
            if (!score.kept) {
              continue;
            }
            let s = score.value;
            score_max = max(score_max, s);
            let w = weft_sigmoid(s + bias);
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
        var merged_max = lowest_f32;
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
          out_sigmoid_decode[(bh * nq + q_i) * 4 + d] = total * 1.0;
        }
      }"
    `);
  });

  test('sigmoid, one query, software adapter', () => {
    expect(attentionWgsl(sigmoidDecode, SOFTWARE, decode)).toMatchInlineSnapshot(`
      "// Weft kernel 0: sigmoid-decode - attention (sigmoid)
      // fuses 1 node(s):
      //   attention "sigmoid-decode" -> [1, 2, 1, 4] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 1, 4] f32
      //   in_k (read): input "k" [1, 2, 64, 4] f32
      //   in_v (read): input "v" [1, 2, 64, 4] f32
      //   out_sigmoid_decode (read_write): attention "sigmoid-decode" [1, 2, 1, 4] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_sigmoid_decode: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      // ---- helpers ----
      const LN_64 = 4.1588830833596715; // ln(64)

      fn weft_sigmoid(x: f32) -> f32 {
        let e = exp(-abs(x));
        return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
      }

      // The most negative finite f32: a running max before any key (no reliance on infinities).
      const lowest_f32 = -3.4028234e38;

      // What one workgroup works on: lengths, batch·head, query block and K/V rows.
      struct Block {
        nq: i32,
        bh: i32,
        kv_row: i32,
        q_i: i32,
      }

      // Query row q_i, prepared (QK norm, RoPE).
      fn load_query_row(block: Block) -> array<f32, 4> {
        let nq = block.nq;
        let bh = block.bh;
        let q_i = block.q_i;
        let query_flat = (bh * nq + q_i) * 4;
        var row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          row[d] = in_q[query_flat + d];
        }
        return row;
      }

      // A score and whether the mask keeps it.
      struct Score {
        value: f32,
        kept: bool,
      }

      // The score of the query row against key key_i, and whether the mask keeps the pair
      // (chunk_kind 1: a partial chunk, where the mask runs; 2: every pair of the chunk is kept).
      fn score_key(block: Block, query_row: array<f32, 4>, key_i: i32) -> Score {
        let kv_row = block.kv_row;
        var raw = 0.0;
        for (var d = 0; d < 4; d++) {
          let key_element = in_k[(kv_row + key_i) * 4 + d];
          raw += query_row[d] * key_element;
        }
        return Score(raw * 0.5, true);
      }

      // The kind of the key chunk [chunk_k0, chunk_k1] under the mask block rule (0: every pair masked).
      fn classify_chunk(chunk_k0: i32, chunk_k1: i32) -> u32 {
        return select(0u, 1u, chunk_k0 <= chunk_k1);
      }

      // ---- entry point ----
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
        if (bh >= 2) {
          return;
        }
        let kv_row = bh * nk;
        let block = Block(nq, bh, kv_row, q_i);
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_row = load_query_row(block);
        var acc: array<f32, 4>;
        var m_run = lowest_f32;
        var l_run = 0.0;
        var score_max = lowest_f32;
        let bias = -LN_64;
        let chunk_kind = classify_chunk(chunk_k0, chunk_k1);
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            let score = score_key(block, query_row, key_i);
            if (!score.kept) {
              continue;
            }
            let s = score.value;
            score_max = max(score_max, s);
            let w = weft_sigmoid(s + bias);
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
        var merged_max = lowest_f32;
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
          out_sigmoid_decode[(bh * nq + q_i) * 4 + d] = total * 1.0;
        }
      }"
    `);
  });
});
