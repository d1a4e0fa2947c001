// Inline WGSL snapshots of the attention kernel for softmax (plain, and with a sink and a causal
// mask) and sigmoid, on both device profiles. Refresh with
// `pnpm vitest run --project unit packages/attention/src/kernel/snapshots -u`.
import { param } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { causal, sigmoid, softmax } from '../../index.js';
import { attentionWgsl, DIM, HARDWARE, HEADS, perHead, SOFTWARE } from './snapshot-support.js';

const plain = { heads: HEADS, headDim: DIM, name: 'plain' };
const sink = {
  heads: HEADS,
  headDim: DIM,
  mask: causal(),
  normalizer: softmax({ sink: perHead('sink') }),
  name: 'sink',
};
const sinkTensors = () => ({ sink: param('sink', [HEADS]) });
const sigmoidSpec = { heads: HEADS, headDim: DIM, mask: causal(), normalizer: sigmoid(), name: 'sigmoid' };

describe('attention kernel, softmax and sigmoid', () => {
  test('softmax, hardware', () => {
    expect(attentionWgsl(plain, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#fc7020f6
      // fuses 1 node(s):
      //   attention#fc7020f6 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_fc7020 (read_write): attention#fc7020f6 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_fc7020: array<f32>;

      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;

      @compute @workgroup_size(32, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 8;
        let nk = 8;
        let query_blocks = (nq + 31) / 32;
        let block_q = i32(workgroup_index) % query_blocks;
        let bh = i32(workgroup_index) / query_blocks;
        if (bh >= 1 * 2) {
          return;
        }
        let h_i = bh % 2;
        let b_i = bh / 2;
        let kv_head_i = h_i * 2 / 2;
        let value_head_i = h_i * 2 / 2;
        let kv_row = (b_i * 2 + h_i / 1) * nk;
        let block_q0 = block_q * 32;
        let block_q1 = min(block_q0 + 32, nq) - 1;
        let key_tiles = (nk + 31) / 32;
        let row = block_q0 + i32(local_index);
        // Rows past the end compute on the last row (keeping loads in bounds and barriers uniform) and store nothing.
        let q_i = min(row, nq - 1);
        let query_flat = (bh * nq + q_i) * 4;
        var query_row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          var rotated = 0.0;
          rotated = in_q[query_flat + d];
          query_row[d] = rotated;
        }
        let query_vec_0 = vec4<f32>(query_row[0], query_row[1], query_row[2], query_row[3]);
        var acc: array<f32, 4>;
        var scores: array<f32, 32>;
        var m_run = -3.4028234e38;
        var l_run = 0.0;
        for (var tile = 0; tile < key_tiles; tile++) {
          let tile_k0 = tile * 32;
          let tile_k1 = min(tile_k0 + 32, nk) - 1;
          workgroupBarrier();
          let tile_kind = 1u;
          for (var index = i32(local_index); index < 32; index += 32) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var packed = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                let d = d0 + 0;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[0] = rotated;
              }
              if (d0 + 1 < 4) {
                let d = d0 + 1;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[1] = rotated;
              }
              if (d0 + 2 < 4) {
                let d = d0 + 2;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[2] = rotated;
              }
              if (d0 + 3 < 4) {
                let d = d0 + 3;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[3] = rotated;
              }
            }
            key_tile[index] = packed;
          }
          for (var index = i32(local_index); index < 32; index += 32) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var loaded = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                loaded[0] = in_v[(kv_row + key_i) * 4 + d0 + 0];
              }
              if (d0 + 1 < 4) {
                loaded[1] = in_v[(kv_row + key_i) * 4 + d0 + 1];
              }
              if (d0 + 2 < 4) {
                loaded[2] = in_v[(kv_row + key_i) * 4 + d0 + 2];
              }
              if (d0 + 3 < 4) {
                loaded[3] = in_v[(kv_row + key_i) * 4 + d0 + 3];
              }
            }
            value_tile[index] = loaded;
          }
          workgroupBarrier();
          let tile_keys = tile_k1 - tile_k0 + 1;
          var kept = 0u;
          for (var j = 0; j < tile_keys; j++) {
            let key_i = tile_k0 + j;
            var raw = 0.0;
            {
              let key_base = j * 1;
              raw = dot(query_vec_0, key_tile[key_base + 0]);
              scores[j] = raw * 0.5;
              kept |= 1u << u32(j);
            }
          }
          if (kept != 0u) {
            var tile_max = m_run;
            for (var j = 0; j < tile_keys; j++) {
              if (((kept >> u32(j)) & 1u) != 0u) {
                tile_max = max(tile_max, scores[j]);
              }
            }
            let correction = exp(m_run - tile_max);
            l_run *= correction;
            for (var d = 0; d < 4; d++) {
              acc[d] *= correction;
            }
            m_run = tile_max;
            for (var j = 0; j < tile_keys; j++) {
              if (((kept >> u32(j)) & 1u) == 0u) {
                continue;
              }
              let s = scores[j];
              let p = exp(s - m_run);
              l_run += p;
              {
                let value_base = j * 1;
                let value_weight = p;
                let value_0 = value_tile[value_base + 0];
                acc[0] += value_weight * value_0[0];
                acc[1] += value_weight * value_0[1];
                acc[2] += value_weight * value_0[2];
                acc[3] += value_weight * value_0[3];
              }
            }
          }
        }
        if (row < nq) {
          let out_flat = (bh * nq + row) * 4;
          for (var d = 0; d < 4; d++) {
            out_attention_fc7020[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('softmax, software adapter: several query rows per invocation', () => {
    expect(attentionWgsl(plain, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#fc7020f6
      // fuses 1 node(s):
      //   attention#fc7020f6 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_fc7020 (read_write): attention#fc7020f6 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_fc7020: array<f32>;

      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;

      @compute @workgroup_size(4, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 8;
        let nk = 8;
        let query_blocks = (nq + 31) / 32;
        let block_q = i32(workgroup_index) % query_blocks;
        let bh = i32(workgroup_index) / query_blocks;
        if (bh >= 1 * 2) {
          return;
        }
        let h_i = bh % 2;
        let b_i = bh / 2;
        let kv_head_i = h_i * 2 / 2;
        let value_head_i = h_i * 2 / 2;
        let kv_row = (b_i * 2 + h_i / 1) * nk;
        let block_q0 = block_q * 32;
        let block_q1 = min(block_q0 + 32, nq) - 1;
        let key_tiles = (nk + 31) / 32;
        let row_0 = block_q0 + 0 + i32(local_index);
        let q_i_0 = min(row_0, nq - 1);
        var query_row_0: array<f32, 4>;
        {
          let query_flat = (bh * nq + q_i_0) * 4;
          for (var d = 0; d < 4; d++) {
            var rotated = 0.0;
            rotated = in_q[query_flat + d];
            query_row_0[d] = rotated;
          }
        }
        let query_0_vec_0 = vec4<f32>(query_row_0[0], query_row_0[1], query_row_0[2], query_row_0[3]);
        let row_1 = block_q0 + 4 + i32(local_index);
        let q_i_1 = min(row_1, nq - 1);
        var query_row_1: array<f32, 4>;
        {
          let query_flat = (bh * nq + q_i_1) * 4;
          for (var d = 0; d < 4; d++) {
            var rotated = 0.0;
            rotated = in_q[query_flat + d];
            query_row_1[d] = rotated;
          }
        }
        let query_1_vec_0 = vec4<f32>(query_row_1[0], query_row_1[1], query_row_1[2], query_row_1[3]);
        let row_2 = block_q0 + 8 + i32(local_index);
        let q_i_2 = min(row_2, nq - 1);
        var query_row_2: array<f32, 4>;
        {
          let query_flat = (bh * nq + q_i_2) * 4;
          for (var d = 0; d < 4; d++) {
            var rotated = 0.0;
            rotated = in_q[query_flat + d];
            query_row_2[d] = rotated;
          }
        }
        let query_2_vec_0 = vec4<f32>(query_row_2[0], query_row_2[1], query_row_2[2], query_row_2[3]);
        let row_3 = block_q0 + 12 + i32(local_index);
        let q_i_3 = min(row_3, nq - 1);
        var query_row_3: array<f32, 4>;
        {
          let query_flat = (bh * nq + q_i_3) * 4;
          for (var d = 0; d < 4; d++) {
            var rotated = 0.0;
            rotated = in_q[query_flat + d];
            query_row_3[d] = rotated;
          }
        }
        let query_3_vec_0 = vec4<f32>(query_row_3[0], query_row_3[1], query_row_3[2], query_row_3[3]);
        let row_4 = block_q0 + 16 + i32(local_index);
        let q_i_4 = min(row_4, nq - 1);
        var query_row_4: array<f32, 4>;
        {
          let query_flat = (bh * nq + q_i_4) * 4;
          for (var d = 0; d < 4; d++) {
            var rotated = 0.0;
            rotated = in_q[query_flat + d];
            query_row_4[d] = rotated;
          }
        }
        let query_4_vec_0 = vec4<f32>(query_row_4[0], query_row_4[1], query_row_4[2], query_row_4[3]);
        let row_5 = block_q0 + 20 + i32(local_index);
        let q_i_5 = min(row_5, nq - 1);
        var query_row_5: array<f32, 4>;
        {
          let query_flat = (bh * nq + q_i_5) * 4;
          for (var d = 0; d < 4; d++) {
            var rotated = 0.0;
            rotated = in_q[query_flat + d];
            query_row_5[d] = rotated;
          }
        }
        let query_5_vec_0 = vec4<f32>(query_row_5[0], query_row_5[1], query_row_5[2], query_row_5[3]);
        let row_6 = block_q0 + 24 + i32(local_index);
        let q_i_6 = min(row_6, nq - 1);
        var query_row_6: array<f32, 4>;
        {
          let query_flat = (bh * nq + q_i_6) * 4;
          for (var d = 0; d < 4; d++) {
            var rotated = 0.0;
            rotated = in_q[query_flat + d];
            query_row_6[d] = rotated;
          }
        }
        let query_6_vec_0 = vec4<f32>(query_row_6[0], query_row_6[1], query_row_6[2], query_row_6[3]);
        let row_7 = block_q0 + 28 + i32(local_index);
        let q_i_7 = min(row_7, nq - 1);
        var query_row_7: array<f32, 4>;
        {
          let query_flat = (bh * nq + q_i_7) * 4;
          for (var d = 0; d < 4; d++) {
            var rotated = 0.0;
            rotated = in_q[query_flat + d];
            query_row_7[d] = rotated;
          }
        }
        let query_7_vec_0 = vec4<f32>(query_row_7[0], query_row_7[1], query_row_7[2], query_row_7[3]);
        var acc_0: array<f32, 4>;
        var scores_0: array<f32, 32>;
        var m_0 = -3.4028234e38;
        var l_0 = 0.0;
        var acc_1: array<f32, 4>;
        var scores_1: array<f32, 32>;
        var m_1 = -3.4028234e38;
        var l_1 = 0.0;
        var acc_2: array<f32, 4>;
        var scores_2: array<f32, 32>;
        var m_2 = -3.4028234e38;
        var l_2 = 0.0;
        var acc_3: array<f32, 4>;
        var scores_3: array<f32, 32>;
        var m_3 = -3.4028234e38;
        var l_3 = 0.0;
        var acc_4: array<f32, 4>;
        var scores_4: array<f32, 32>;
        var m_4 = -3.4028234e38;
        var l_4 = 0.0;
        var acc_5: array<f32, 4>;
        var scores_5: array<f32, 32>;
        var m_5 = -3.4028234e38;
        var l_5 = 0.0;
        var acc_6: array<f32, 4>;
        var scores_6: array<f32, 32>;
        var m_6 = -3.4028234e38;
        var l_6 = 0.0;
        var acc_7: array<f32, 4>;
        var scores_7: array<f32, 32>;
        var m_7 = -3.4028234e38;
        var l_7 = 0.0;
        for (var tile = 0; tile < key_tiles; tile++) {
          let tile_k0 = tile * 32;
          let tile_k1 = min(tile_k0 + 32, nk) - 1;
          workgroupBarrier();
          let tile_kind = 1u;
          for (var index = i32(local_index); index < 32; index += 4) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var packed = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                let d = d0 + 0;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[0] = rotated;
              }
              if (d0 + 1 < 4) {
                let d = d0 + 1;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[1] = rotated;
              }
              if (d0 + 2 < 4) {
                let d = d0 + 2;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[2] = rotated;
              }
              if (d0 + 3 < 4) {
                let d = d0 + 3;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[3] = rotated;
              }
            }
            key_tile[index] = packed;
          }
          for (var index = i32(local_index); index < 32; index += 4) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var loaded = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                loaded[0] = in_v[(kv_row + key_i) * 4 + d0 + 0];
              }
              if (d0 + 1 < 4) {
                loaded[1] = in_v[(kv_row + key_i) * 4 + d0 + 1];
              }
              if (d0 + 2 < 4) {
                loaded[2] = in_v[(kv_row + key_i) * 4 + d0 + 2];
              }
              if (d0 + 3 < 4) {
                loaded[3] = in_v[(kv_row + key_i) * 4 + d0 + 3];
              }
            }
            value_tile[index] = loaded;
          }
          workgroupBarrier();
          let tile_keys = tile_k1 - tile_k0 + 1;
          var kept_0 = 0u;
          var kept_1 = 0u;
          var kept_2 = 0u;
          var kept_3 = 0u;
          var kept_4 = 0u;
          var kept_5 = 0u;
          var kept_6 = 0u;
          var kept_7 = 0u;
          var tile_max_0 = m_0;
          var tile_max_1 = m_1;
          var tile_max_2 = m_2;
          var tile_max_3 = m_3;
          var tile_max_4 = m_4;
          var tile_max_5 = m_5;
          var tile_max_6 = m_6;
          var tile_max_7 = m_7;
          for (var j = 0; j < tile_keys; j++) {
            let key_i = tile_k0 + j;
            let key_base = j * 1;
            let key_0 = key_tile[key_base + 0];
            {
              let q_i = q_i_0;
              var raw = 0.0;
              {
                raw = dot(query_0_vec_0, key_0);
                let score = raw * 0.5;
                scores_0[j] = score;
                tile_max_0 = max(tile_max_0, score);
                kept_0 |= 1u << u32(j);
              }
            }
            {
              let q_i = q_i_1;
              var raw = 0.0;
              {
                raw = dot(query_1_vec_0, key_0);
                let score = raw * 0.5;
                scores_1[j] = score;
                tile_max_1 = max(tile_max_1, score);
                kept_1 |= 1u << u32(j);
              }
            }
            {
              let q_i = q_i_2;
              var raw = 0.0;
              {
                raw = dot(query_2_vec_0, key_0);
                let score = raw * 0.5;
                scores_2[j] = score;
                tile_max_2 = max(tile_max_2, score);
                kept_2 |= 1u << u32(j);
              }
            }
            {
              let q_i = q_i_3;
              var raw = 0.0;
              {
                raw = dot(query_3_vec_0, key_0);
                let score = raw * 0.5;
                scores_3[j] = score;
                tile_max_3 = max(tile_max_3, score);
                kept_3 |= 1u << u32(j);
              }
            }
            {
              let q_i = q_i_4;
              var raw = 0.0;
              {
                raw = dot(query_4_vec_0, key_0);
                let score = raw * 0.5;
                scores_4[j] = score;
                tile_max_4 = max(tile_max_4, score);
                kept_4 |= 1u << u32(j);
              }
            }
            {
              let q_i = q_i_5;
              var raw = 0.0;
              {
                raw = dot(query_5_vec_0, key_0);
                let score = raw * 0.5;
                scores_5[j] = score;
                tile_max_5 = max(tile_max_5, score);
                kept_5 |= 1u << u32(j);
              }
            }
            {
              let q_i = q_i_6;
              var raw = 0.0;
              {
                raw = dot(query_6_vec_0, key_0);
                let score = raw * 0.5;
                scores_6[j] = score;
                tile_max_6 = max(tile_max_6, score);
                kept_6 |= 1u << u32(j);
              }
            }
            {
              let q_i = q_i_7;
              var raw = 0.0;
              {
                raw = dot(query_7_vec_0, key_0);
                let score = raw * 0.5;
                scores_7[j] = score;
                tile_max_7 = max(tile_max_7, score);
                kept_7 |= 1u << u32(j);
              }
            }
          }
          if ((kept_0 | kept_1 | kept_2 | kept_3 | kept_4 | kept_5 | kept_6 | kept_7) != 0u) {
            let correction_0 = exp(m_0 - tile_max_0);
            l_0 *= correction_0;
            m_0 = tile_max_0;
            let correction_1 = exp(m_1 - tile_max_1);
            l_1 *= correction_1;
            m_1 = tile_max_1;
            let correction_2 = exp(m_2 - tile_max_2);
            l_2 *= correction_2;
            m_2 = tile_max_2;
            let correction_3 = exp(m_3 - tile_max_3);
            l_3 *= correction_3;
            m_3 = tile_max_3;
            let correction_4 = exp(m_4 - tile_max_4);
            l_4 *= correction_4;
            m_4 = tile_max_4;
            let correction_5 = exp(m_5 - tile_max_5);
            l_5 *= correction_5;
            m_5 = tile_max_5;
            let correction_6 = exp(m_6 - tile_max_6);
            l_6 *= correction_6;
            m_6 = tile_max_6;
            let correction_7 = exp(m_7 - tile_max_7);
            l_7 *= correction_7;
            m_7 = tile_max_7;
            for (var d = 0; d < 4; d++) {
              acc_0[d] *= correction_0;
              acc_1[d] *= correction_1;
              acc_2[d] *= correction_2;
              acc_3[d] *= correction_3;
              acc_4[d] *= correction_4;
              acc_5[d] *= correction_5;
              acc_6[d] *= correction_6;
              acc_7[d] *= correction_7;
            }
            for (var j = 0; j < tile_keys; j++) {
              let bit = 1u << u32(j);
              if (((kept_0 | kept_1 | kept_2 | kept_3 | kept_4 | kept_5 | kept_6 | kept_7) & bit) == 0u) {
                continue;
              }
              let p_0 = select(0.0, exp(scores_0[j] - m_0), (kept_0 & bit) != 0u);
              l_0 += p_0;
              let p_1 = select(0.0, exp(scores_1[j] - m_1), (kept_1 & bit) != 0u);
              l_1 += p_1;
              let p_2 = select(0.0, exp(scores_2[j] - m_2), (kept_2 & bit) != 0u);
              l_2 += p_2;
              let p_3 = select(0.0, exp(scores_3[j] - m_3), (kept_3 & bit) != 0u);
              l_3 += p_3;
              let p_4 = select(0.0, exp(scores_4[j] - m_4), (kept_4 & bit) != 0u);
              l_4 += p_4;
              let p_5 = select(0.0, exp(scores_5[j] - m_5), (kept_5 & bit) != 0u);
              l_5 += p_5;
              let p_6 = select(0.0, exp(scores_6[j] - m_6), (kept_6 & bit) != 0u);
              l_6 += p_6;
              let p_7 = select(0.0, exp(scores_7[j] - m_7), (kept_7 & bit) != 0u);
              l_7 += p_7;
              {
                let value_base = j * 1;
                let value_0 = value_tile[value_base + 0];
                acc_0[0] += p_0 * value_0[0];
                acc_1[0] += p_1 * value_0[0];
                acc_2[0] += p_2 * value_0[0];
                acc_3[0] += p_3 * value_0[0];
                acc_4[0] += p_4 * value_0[0];
                acc_5[0] += p_5 * value_0[0];
                acc_6[0] += p_6 * value_0[0];
                acc_7[0] += p_7 * value_0[0];
                acc_0[1] += p_0 * value_0[1];
                acc_1[1] += p_1 * value_0[1];
                acc_2[1] += p_2 * value_0[1];
                acc_3[1] += p_3 * value_0[1];
                acc_4[1] += p_4 * value_0[1];
                acc_5[1] += p_5 * value_0[1];
                acc_6[1] += p_6 * value_0[1];
                acc_7[1] += p_7 * value_0[1];
                acc_0[2] += p_0 * value_0[2];
                acc_1[2] += p_1 * value_0[2];
                acc_2[2] += p_2 * value_0[2];
                acc_3[2] += p_3 * value_0[2];
                acc_4[2] += p_4 * value_0[2];
                acc_5[2] += p_5 * value_0[2];
                acc_6[2] += p_6 * value_0[2];
                acc_7[2] += p_7 * value_0[2];
                acc_0[3] += p_0 * value_0[3];
                acc_1[3] += p_1 * value_0[3];
                acc_2[3] += p_2 * value_0[3];
                acc_3[3] += p_3 * value_0[3];
                acc_4[3] += p_4 * value_0[3];
                acc_5[3] += p_5 * value_0[3];
                acc_6[3] += p_6 * value_0[3];
                acc_7[3] += p_7 * value_0[3];
              }
            }
          }
        }
        if (row_0 < nq) {
          let out_flat = (bh * nq + row_0) * 4;
          let scale = select(0.0, 1.0 / l_0, l_0 > 0.0);
          for (var d = 0; d < 4; d++) {
            out_attention_fc7020[out_flat + d] = acc_0[d] * scale;
          }
        }
        if (row_1 < nq) {
          let out_flat = (bh * nq + row_1) * 4;
          let scale = select(0.0, 1.0 / l_1, l_1 > 0.0);
          for (var d = 0; d < 4; d++) {
            out_attention_fc7020[out_flat + d] = acc_1[d] * scale;
          }
        }
        if (row_2 < nq) {
          let out_flat = (bh * nq + row_2) * 4;
          let scale = select(0.0, 1.0 / l_2, l_2 > 0.0);
          for (var d = 0; d < 4; d++) {
            out_attention_fc7020[out_flat + d] = acc_2[d] * scale;
          }
        }
        if (row_3 < nq) {
          let out_flat = (bh * nq + row_3) * 4;
          let scale = select(0.0, 1.0 / l_3, l_3 > 0.0);
          for (var d = 0; d < 4; d++) {
            out_attention_fc7020[out_flat + d] = acc_3[d] * scale;
          }
        }
        if (row_4 < nq) {
          let out_flat = (bh * nq + row_4) * 4;
          let scale = select(0.0, 1.0 / l_4, l_4 > 0.0);
          for (var d = 0; d < 4; d++) {
            out_attention_fc7020[out_flat + d] = acc_4[d] * scale;
          }
        }
        if (row_5 < nq) {
          let out_flat = (bh * nq + row_5) * 4;
          let scale = select(0.0, 1.0 / l_5, l_5 > 0.0);
          for (var d = 0; d < 4; d++) {
            out_attention_fc7020[out_flat + d] = acc_5[d] * scale;
          }
        }
        if (row_6 < nq) {
          let out_flat = (bh * nq + row_6) * 4;
          let scale = select(0.0, 1.0 / l_6, l_6 > 0.0);
          for (var d = 0; d < 4; d++) {
            out_attention_fc7020[out_flat + d] = acc_6[d] * scale;
          }
        }
        if (row_7 < nq) {
          let out_flat = (bh * nq + row_7) * 4;
          let scale = select(0.0, 1.0 / l_7, l_7 > 0.0);
          for (var d = 0; d < 4; d++) {
            out_attention_fc7020[out_flat + d] = acc_7[d] * scale;
          }
        }
      }"
    `);
  });

  test('softmax with a per-head sink, causal, hardware', () => {
    expect(attentionWgsl(sink, HARDWARE, { tensors: sinkTensors })).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#3949fd17
      // fuses 1 node(s):
      //   attention#3949fd17 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   in_sink (read_write): param#0a1497be [2] f32
      //   out_attention_3949fd (read_write): attention#3949fd17 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> in_sink: array<f32>;
      @group(0) @binding(4) var<storage, read_write> out_attention_3949fd: array<f32>;

      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;
      var<workgroup> tile_class: array<u32, 1>;

      @compute @workgroup_size(32, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 8;
        let nk = 8;
        let query_blocks = (nq + 31) / 32;
        let block_q = i32(workgroup_index) % query_blocks;
        let bh = i32(workgroup_index) / query_blocks;
        if (bh >= 1 * 2) {
          return;
        }
        let h_i = bh % 2;
        let b_i = bh / 2;
        let kv_head_i = h_i * 2 / 2;
        let value_head_i = h_i * 2 / 2;
        let kv_row = (b_i * 2 + h_i / 1) * nk;
        let block_q0 = block_q * 32;
        let block_q1 = min(block_q0 + 32, nq) - 1;
        let key_tiles = (nk + 31) / 32;
        let row = block_q0 + i32(local_index);
        // Rows past the end compute on the last row (keeping loads in bounds and barriers uniform) and store nothing.
        let q_i = min(row, nq - 1);
        let query_flat = (bh * nq + q_i) * 4;
        var query_row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          var rotated = 0.0;
          rotated = in_q[query_flat + d];
          query_row[d] = rotated;
        }
        let query_vec_0 = vec4<f32>(query_row[0], query_row[1], query_row[2], query_row[3]);
        var acc: array<f32, 4>;
        var scores: array<f32, 32>;
        let sink = in_sink[0 + (h_i * 1)];
        var m_run = sink;
        var l_run = 1.0;
        for (var tile = 0; tile < key_tiles; tile++) {
          let tile_k0 = tile * 32;
          let tile_k1 = min(tile_k0 + 32, nk) - 1;
          workgroupBarrier();
          if (local_index == 0u) {
            let block_0: i32 = nk - nq;
            tile_class[0] = select(select(1u, 2u, tile_k1 <= (block_q0 + block_0)), 0u, tile_k0 > (block_q1 + block_0));
          }
          let tile_kind = workgroupUniformLoad(&tile_class[0]);
          if (tile_kind == 0u) {
            continue;
          }
          for (var index = i32(local_index); index < 32; index += 32) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var packed = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                let d = d0 + 0;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[0] = rotated;
              }
              if (d0 + 1 < 4) {
                let d = d0 + 1;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[1] = rotated;
              }
              if (d0 + 2 < 4) {
                let d = d0 + 2;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[2] = rotated;
              }
              if (d0 + 3 < 4) {
                let d = d0 + 3;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[3] = rotated;
              }
            }
            key_tile[index] = packed;
          }
          for (var index = i32(local_index); index < 32; index += 32) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var loaded = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                loaded[0] = in_v[(kv_row + key_i) * 4 + d0 + 0];
              }
              if (d0 + 1 < 4) {
                loaded[1] = in_v[(kv_row + key_i) * 4 + d0 + 1];
              }
              if (d0 + 2 < 4) {
                loaded[2] = in_v[(kv_row + key_i) * 4 + d0 + 2];
              }
              if (d0 + 3 < 4) {
                loaded[3] = in_v[(kv_row + key_i) * 4 + d0 + 3];
              }
            }
            value_tile[index] = loaded;
          }
          workgroupBarrier();
          let tile_keys = tile_k1 - tile_k0 + 1;
          var kept = 0u;
          for (var j = 0; j < tile_keys; j++) {
            let key_i = tile_k0 + j;
            var raw = 0.0;
            var keep = true;
            if (tile_kind == 1u) {
              keep = key_i <= (q_i + (nk - nq));
            }
            if (keep) {
              let key_base = j * 1;
              raw = dot(query_vec_0, key_tile[key_base + 0]);
              scores[j] = raw * 0.5;
              kept |= 1u << u32(j);
            }
          }
          if (kept != 0u) {
            var tile_max = m_run;
            for (var j = 0; j < tile_keys; j++) {
              if (((kept >> u32(j)) & 1u) != 0u) {
                tile_max = max(tile_max, scores[j]);
              }
            }
            let correction = exp(m_run - tile_max);
            l_run *= correction;
            for (var d = 0; d < 4; d++) {
              acc[d] *= correction;
            }
            m_run = tile_max;
            for (var j = 0; j < tile_keys; j++) {
              if (((kept >> u32(j)) & 1u) == 0u) {
                continue;
              }
              let s = scores[j];
              let p = exp(s - m_run);
              l_run += p;
              {
                let value_base = j * 1;
                let value_weight = p;
                let value_0 = value_tile[value_base + 0];
                acc[0] += value_weight * value_0[0];
                acc[1] += value_weight * value_0[1];
                acc[2] += value_weight * value_0[2];
                acc[3] += value_weight * value_0[3];
              }
            }
          }
        }
        if (row < nq) {
          let out_flat = (bh * nq + row) * 4;
          for (var d = 0; d < 4; d++) {
            out_attention_3949fd[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('softmax with a per-head sink, causal, software adapter', () => {
    expect(attentionWgsl(sink, SOFTWARE, { tensors: sinkTensors })).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#3949fd17
      // fuses 1 node(s):
      //   attention#3949fd17 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   in_sink (read_write): param#0a1497be [2] f32
      //   out_attention_3949fd (read_write): attention#3949fd17 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> in_sink: array<f32>;
      @group(0) @binding(4) var<storage, read_write> out_attention_3949fd: array<f32>;

      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;
      var<workgroup> tile_class: array<u32, 1>;

      @compute @workgroup_size(32, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 8;
        let nk = 8;
        let query_blocks = (nq + 31) / 32;
        let block_q = i32(workgroup_index) % query_blocks;
        let bh = i32(workgroup_index) / query_blocks;
        if (bh >= 1 * 2) {
          return;
        }
        let h_i = bh % 2;
        let b_i = bh / 2;
        let kv_head_i = h_i * 2 / 2;
        let value_head_i = h_i * 2 / 2;
        let kv_row = (b_i * 2 + h_i / 1) * nk;
        let block_q0 = block_q * 32;
        let block_q1 = min(block_q0 + 32, nq) - 1;
        let key_tiles = (nk + 31) / 32;
        let row = block_q0 + i32(local_index);
        // Rows past the end compute on the last row (keeping loads in bounds and barriers uniform) and store nothing.
        let q_i = min(row, nq - 1);
        let query_flat = (bh * nq + q_i) * 4;
        var query_row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          var rotated = 0.0;
          rotated = in_q[query_flat + d];
          query_row[d] = rotated;
        }
        let query_vec_0 = vec4<f32>(query_row[0], query_row[1], query_row[2], query_row[3]);
        var acc: array<f32, 4>;
        var scores: array<f32, 32>;
        let sink = in_sink[0 + (h_i * 1)];
        var m_run = sink;
        var l_run = 1.0;
        for (var tile = 0; tile < key_tiles; tile++) {
          let tile_k0 = tile * 32;
          let tile_k1 = min(tile_k0 + 32, nk) - 1;
          workgroupBarrier();
          if (local_index == 0u) {
            let block_0: i32 = nk - nq;
            tile_class[0] = select(select(1u, 2u, tile_k1 <= (block_q0 + block_0)), 0u, tile_k0 > (block_q1 + block_0));
          }
          let tile_kind = workgroupUniformLoad(&tile_class[0]);
          if (tile_kind == 0u) {
            continue;
          }
          for (var index = i32(local_index); index < 32; index += 32) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var packed = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                let d = d0 + 0;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[0] = rotated;
              }
              if (d0 + 1 < 4) {
                let d = d0 + 1;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[1] = rotated;
              }
              if (d0 + 2 < 4) {
                let d = d0 + 2;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[2] = rotated;
              }
              if (d0 + 3 < 4) {
                let d = d0 + 3;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[3] = rotated;
              }
            }
            key_tile[index] = packed;
          }
          for (var index = i32(local_index); index < 32; index += 32) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var loaded = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                loaded[0] = in_v[(kv_row + key_i) * 4 + d0 + 0];
              }
              if (d0 + 1 < 4) {
                loaded[1] = in_v[(kv_row + key_i) * 4 + d0 + 1];
              }
              if (d0 + 2 < 4) {
                loaded[2] = in_v[(kv_row + key_i) * 4 + d0 + 2];
              }
              if (d0 + 3 < 4) {
                loaded[3] = in_v[(kv_row + key_i) * 4 + d0 + 3];
              }
            }
            value_tile[index] = loaded;
          }
          workgroupBarrier();
          let tile_keys = tile_k1 - tile_k0 + 1;
          var kept = 0u;
          for (var j = 0; j < tile_keys; j++) {
            let key_i = tile_k0 + j;
            var raw = 0.0;
            var keep = true;
            if (tile_kind == 1u) {
              keep = key_i <= (q_i + (nk - nq));
            }
            if (keep) {
              let key_base = j * 1;
              raw = dot(query_vec_0, key_tile[key_base + 0]);
              scores[j] = raw * 0.5;
              kept |= 1u << u32(j);
            }
          }
          if (kept != 0u) {
            var tile_max = m_run;
            for (var j = 0; j < tile_keys; j++) {
              if (((kept >> u32(j)) & 1u) != 0u) {
                tile_max = max(tile_max, scores[j]);
              }
            }
            let correction = exp(m_run - tile_max);
            l_run *= correction;
            for (var d = 0; d < 4; d++) {
              acc[d] *= correction;
            }
            m_run = tile_max;
            for (var j = 0; j < tile_keys; j++) {
              if (((kept >> u32(j)) & 1u) == 0u) {
                continue;
              }
              let s = scores[j];
              let p = exp(s - m_run);
              l_run += p;
              {
                let value_base = j * 1;
                let value_weight = p;
                let value_0 = value_tile[value_base + 0];
                acc[0] += value_weight * value_0[0];
                acc[1] += value_weight * value_0[1];
                acc[2] += value_weight * value_0[2];
                acc[3] += value_weight * value_0[3];
              }
            }
          }
        }
        if (row < nq) {
          let out_flat = (bh * nq + row) * 4;
          for (var d = 0; d < 4; d++) {
            out_attention_3949fd[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('sigmoid, causal, hardware', () => {
    expect(attentionWgsl(sigmoidSpec, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#198d3d11
      // fuses 1 node(s):
      //   attention#198d3d11 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_198d3d (read_write): attention#198d3d11 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_198d3d: array<f32>;

      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;
      var<workgroup> tile_class: array<u32, 1>;

      @compute @workgroup_size(32, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 8;
        let nk = 8;
        let query_blocks = (nq + 31) / 32;
        let block_q = i32(workgroup_index) % query_blocks;
        let bh = i32(workgroup_index) / query_blocks;
        if (bh >= 1 * 2) {
          return;
        }
        let h_i = bh % 2;
        let b_i = bh / 2;
        let kv_head_i = h_i * 2 / 2;
        let value_head_i = h_i * 2 / 2;
        let kv_row = (b_i * 2 + h_i / 1) * nk;
        let block_q0 = block_q * 32;
        let block_q1 = min(block_q0 + 32, nq) - 1;
        let key_tiles = (nk + 31) / 32;
        let row = block_q0 + i32(local_index);
        // Rows past the end compute on the last row (keeping loads in bounds and barriers uniform) and store nothing.
        let q_i = min(row, nq - 1);
        let query_flat = (bh * nq + q_i) * 4;
        var query_row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          var rotated = 0.0;
          rotated = in_q[query_flat + d];
          query_row[d] = rotated;
        }
        let query_vec_0 = vec4<f32>(query_row[0], query_row[1], query_row[2], query_row[3]);
        var acc: array<f32, 4>;
        var scores: array<f32, 32>;
        let bias = -2.0794415416798357;
        for (var tile = 0; tile < key_tiles; tile++) {
          let tile_k0 = tile * 32;
          let tile_k1 = min(tile_k0 + 32, nk) - 1;
          workgroupBarrier();
          if (local_index == 0u) {
            let block_0: i32 = nk - nq;
            tile_class[0] = select(select(1u, 2u, tile_k1 <= (block_q0 + block_0)), 0u, tile_k0 > (block_q1 + block_0));
          }
          let tile_kind = workgroupUniformLoad(&tile_class[0]);
          if (tile_kind == 0u) {
            continue;
          }
          for (var index = i32(local_index); index < 32; index += 32) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var packed = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                let d = d0 + 0;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[0] = rotated;
              }
              if (d0 + 1 < 4) {
                let d = d0 + 1;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[1] = rotated;
              }
              if (d0 + 2 < 4) {
                let d = d0 + 2;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[2] = rotated;
              }
              if (d0 + 3 < 4) {
                let d = d0 + 3;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[3] = rotated;
              }
            }
            key_tile[index] = packed;
          }
          for (var index = i32(local_index); index < 32; index += 32) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var loaded = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                loaded[0] = in_v[(kv_row + key_i) * 4 + d0 + 0];
              }
              if (d0 + 1 < 4) {
                loaded[1] = in_v[(kv_row + key_i) * 4 + d0 + 1];
              }
              if (d0 + 2 < 4) {
                loaded[2] = in_v[(kv_row + key_i) * 4 + d0 + 2];
              }
              if (d0 + 3 < 4) {
                loaded[3] = in_v[(kv_row + key_i) * 4 + d0 + 3];
              }
            }
            value_tile[index] = loaded;
          }
          workgroupBarrier();
          let tile_keys = tile_k1 - tile_k0 + 1;
          var kept = 0u;
          for (var j = 0; j < tile_keys; j++) {
            let key_i = tile_k0 + j;
            var raw = 0.0;
            var keep = true;
            if (tile_kind == 1u) {
              keep = key_i <= (q_i + (nk - nq));
            }
            if (keep) {
              let key_base = j * 1;
              raw = dot(query_vec_0, key_tile[key_base + 0]);
              scores[j] = raw * 0.5;
              kept |= 1u << u32(j);
            }
          }
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            let x = s + bias;
            let e = exp(-abs(x));
            let w = select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
            {
              let value_base = j * 1;
              let value_weight = w;
              let value_0 = value_tile[value_base + 0];
              acc[0] += value_weight * value_0[0];
              acc[1] += value_weight * value_0[1];
              acc[2] += value_weight * value_0[2];
              acc[3] += value_weight * value_0[3];
            }
          }
        }
        if (row < nq) {
          let out_flat = (bh * nq + row) * 4;
          for (var d = 0; d < 4; d++) {
            out_attention_198d3d[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });

  test('sigmoid, causal, software adapter', () => {
    expect(attentionWgsl(sigmoidSpec, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#198d3d11
      // fuses 1 node(s):
      //   attention#198d3d11 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_198d3d (read_write): attention#198d3d11 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_198d3d: array<f32>;

      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;
      var<workgroup> tile_class: array<u32, 1>;

      @compute @workgroup_size(32, 1, 1)
      fn main(
        @builtin(local_invocation_index) local_index: u32,
        @builtin(workgroup_id) workgroup_id: vec3<u32>,
        @builtin(num_workgroups) workgroup_count: vec3<u32>,
      ) {
        let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);
        let nq = 8;
        let nk = 8;
        let query_blocks = (nq + 31) / 32;
        let block_q = i32(workgroup_index) % query_blocks;
        let bh = i32(workgroup_index) / query_blocks;
        if (bh >= 1 * 2) {
          return;
        }
        let h_i = bh % 2;
        let b_i = bh / 2;
        let kv_head_i = h_i * 2 / 2;
        let value_head_i = h_i * 2 / 2;
        let kv_row = (b_i * 2 + h_i / 1) * nk;
        let block_q0 = block_q * 32;
        let block_q1 = min(block_q0 + 32, nq) - 1;
        let key_tiles = (nk + 31) / 32;
        let row = block_q0 + i32(local_index);
        // Rows past the end compute on the last row (keeping loads in bounds and barriers uniform) and store nothing.
        let q_i = min(row, nq - 1);
        let query_flat = (bh * nq + q_i) * 4;
        var query_row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          var rotated = 0.0;
          rotated = in_q[query_flat + d];
          query_row[d] = rotated;
        }
        let query_vec_0 = vec4<f32>(query_row[0], query_row[1], query_row[2], query_row[3]);
        var acc: array<f32, 4>;
        var scores: array<f32, 32>;
        let bias = -2.0794415416798357;
        for (var tile = 0; tile < key_tiles; tile++) {
          let tile_k0 = tile * 32;
          let tile_k1 = min(tile_k0 + 32, nk) - 1;
          workgroupBarrier();
          if (local_index == 0u) {
            let block_0: i32 = nk - nq;
            tile_class[0] = select(select(1u, 2u, tile_k1 <= (block_q0 + block_0)), 0u, tile_k0 > (block_q1 + block_0));
          }
          let tile_kind = workgroupUniformLoad(&tile_class[0]);
          if (tile_kind == 0u) {
            continue;
          }
          for (var index = i32(local_index); index < 32; index += 32) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var packed = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                let d = d0 + 0;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[0] = rotated;
              }
              if (d0 + 1 < 4) {
                let d = d0 + 1;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[1] = rotated;
              }
              if (d0 + 2 < 4) {
                let d = d0 + 2;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[2] = rotated;
              }
              if (d0 + 3 < 4) {
                let d = d0 + 3;
                var rotated = 0.0;
                rotated = in_k[(kv_row + key_i) * 4 + d];
                packed[3] = rotated;
              }
            }
            key_tile[index] = packed;
          }
          for (var index = i32(local_index); index < 32; index += 32) {
            let key_i = tile_k0 + index / 1;
            let d0 = (index % 1) * 4;
            var loaded = vec4<f32>(0.0);
            if (key_i < nk) {
              if (d0 + 0 < 4) {
                loaded[0] = in_v[(kv_row + key_i) * 4 + d0 + 0];
              }
              if (d0 + 1 < 4) {
                loaded[1] = in_v[(kv_row + key_i) * 4 + d0 + 1];
              }
              if (d0 + 2 < 4) {
                loaded[2] = in_v[(kv_row + key_i) * 4 + d0 + 2];
              }
              if (d0 + 3 < 4) {
                loaded[3] = in_v[(kv_row + key_i) * 4 + d0 + 3];
              }
            }
            value_tile[index] = loaded;
          }
          workgroupBarrier();
          let tile_keys = tile_k1 - tile_k0 + 1;
          var kept = 0u;
          for (var j = 0; j < tile_keys; j++) {
            let key_i = tile_k0 + j;
            var raw = 0.0;
            var keep = true;
            if (tile_kind == 1u) {
              keep = key_i <= (q_i + (nk - nq));
            }
            if (keep) {
              let key_base = j * 1;
              raw = dot(query_vec_0, key_tile[key_base + 0]);
              scores[j] = raw * 0.5;
              kept |= 1u << u32(j);
            }
          }
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            let x = s + bias;
            let e = exp(-abs(x));
            let w = select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
            {
              let value_base = j * 1;
              let value_weight = w;
              let value_0 = value_tile[value_base + 0];
              acc[0] += value_weight * value_0[0];
              acc[1] += value_weight * value_0[1];
              acc[2] += value_weight * value_0[2];
              acc[3] += value_weight * value_0[3];
            }
          }
        }
        if (row < nq) {
          let out_flat = (bh * nq + row) * 4;
          for (var d = 0; d < 4; d++) {
            out_attention_198d3d[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });
});
