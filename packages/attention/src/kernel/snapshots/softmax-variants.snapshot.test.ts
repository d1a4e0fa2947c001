// Inline WGSL snapshots of the attention kernel for the softmax variants with extra row state:
// Landmark's grouped softmax, Top-θ with compensation and p-Laplacian, on both device profiles.
// Refresh with `pnpm vitest run --project unit packages/attention/src/kernel/snapshots -u`.
import { param, tensorRef } from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { causal, groupedSoftmax, pLaplacian, topTheta } from '../../index.js';
import { attentionWgsl, DIM, HARDWARE, HEADS, KEYS, perHead, SOFTWARE } from './snapshot-support.js';

const grouped = {
  heads: HEADS,
  headDim: DIM,
  mask: causal(),
  normalizer: groupedSoftmax({ blockSize: 3 }),
  name: 'grouped',
};
const topThetaSpec = {
  heads: HEADS,
  headDim: DIM,
  mask: causal(),
  normalizer: topTheta({ threshold: perHead('theta'), compensation: 'valueMean' }),
  name: 'top-theta',
} as const;
const thetaTensors = () => ({ theta: param('theta', [HEADS]) });
const pLaplacianSpec = {
  heads: HEADS,
  headDim: DIM,
  normalizer: pLaplacian({ features: tensorRef('q', [1, HEADS, KEYS, DIM]), p: 1.5, mu: 0.5 }),
  name: 'p-laplacian',
};

describe('attention kernel, softmax variants', () => {
  test('grouped softmax (landmarks every 3 keys), hardware', () => {
    expect(attentionWgsl(grouped, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#858847f1
      // fuses 1 node(s):
      //   attention#858847f1 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_858847 (read_write): attention#858847f1 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_858847: array<f32>;

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
        let query_position = q_i + nk - nq;
        let current_block = select(-1, query_position / 4, query_position >= 0);
        var m_top = -3.4028234e38;
        var l_top = 0.0;
        var group_block = -1;
        var group_max = -3.4028234e38;
        var group_sum = 0.0;
        var group_acc: array<f32, 4>;
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
            let key_position = tile_k0 + j;
            if (key_position > query_position) {
              continue;
            }
            let key_block = key_position / 4;
            let landmark = (key_position + 1) % 4 == 0;
            if (select(key_block == current_block, key_block < current_block, landmark)) {
              if (s > m_top) {
                l_top *= exp(m_top - s);
                m_top = s;
              }
              l_top += exp(s - m_top);
            }
          }
        }
        let log_top = select(0.0, m_top + log(l_top), l_top > 0.0);
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
            let key_position = tile_k0 + j;
            if (key_position > query_position) {
              continue;
            }
            let key_block = key_position / 4;
            let landmark = (key_position + 1) % 4 == 0;
            if (landmark) {
              if (key_block < current_block && key_block == group_block && group_sum >= 0.5) {
                let gate = exp(s - log_top) / group_sum;
                for (var d = 0; d < 4; d++) {
                  acc[d] += gate * group_acc[d];
                }
              }
              continue;
            }
            if (key_block == current_block) {
              {
                let value_base = j * 1;
                let value_weight = exp(s - log_top);
                let value_0 = value_tile[value_base + 0];
                acc[0] += value_weight * value_0[0];
                acc[1] += value_weight * value_0[1];
                acc[2] += value_weight * value_0[2];
                acc[3] += value_weight * value_0[3];
              }
              continue;
            }
            if (key_block != group_block) {
              group_block = key_block;
              group_max = s;
              group_sum = 0.0;
              for (var d = 0; d < 4; d++) {
                group_acc[d] = 0.0;
              }
            }
            if (s > group_max) {
              let correction = exp(group_max - s);
              group_sum *= correction;
              for (var d = 0; d < 4; d++) {
                group_acc[d] *= correction;
              }
              group_max = s;
            }
            let p = exp(s - group_max);
            group_sum += p;
            {
              let value_base = j * 1;
              let value_weight = p;
              let value_0 = value_tile[value_base + 0];
              group_acc[0] += value_weight * value_0[0];
              group_acc[1] += value_weight * value_0[1];
              group_acc[2] += value_weight * value_0[2];
              group_acc[3] += value_weight * value_0[3];
            }
          }
        }
        if (row < nq) {
          let out_flat = (bh * nq + row) * 4;
          for (var d = 0; d < 4; d++) {
            out_attention_858847[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });

  test('grouped softmax (landmarks every 3 keys), software adapter', () => {
    expect(attentionWgsl(grouped, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#858847f1
      // fuses 1 node(s):
      //   attention#858847f1 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_858847 (read_write): attention#858847f1 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_858847: array<f32>;

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
        let query_position = q_i + nk - nq;
        let current_block = select(-1, query_position / 4, query_position >= 0);
        var m_top = -3.4028234e38;
        var l_top = 0.0;
        var group_block = -1;
        var group_max = -3.4028234e38;
        var group_sum = 0.0;
        var group_acc: array<f32, 4>;
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
            let key_position = tile_k0 + j;
            if (key_position > query_position) {
              continue;
            }
            let key_block = key_position / 4;
            let landmark = (key_position + 1) % 4 == 0;
            if (select(key_block == current_block, key_block < current_block, landmark)) {
              if (s > m_top) {
                l_top *= exp(m_top - s);
                m_top = s;
              }
              l_top += exp(s - m_top);
            }
          }
        }
        let log_top = select(0.0, m_top + log(l_top), l_top > 0.0);
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
            let key_position = tile_k0 + j;
            if (key_position > query_position) {
              continue;
            }
            let key_block = key_position / 4;
            let landmark = (key_position + 1) % 4 == 0;
            if (landmark) {
              if (key_block < current_block && key_block == group_block && group_sum >= 0.5) {
                let gate = exp(s - log_top) / group_sum;
                for (var d = 0; d < 4; d++) {
                  acc[d] += gate * group_acc[d];
                }
              }
              continue;
            }
            if (key_block == current_block) {
              {
                let value_base = j * 1;
                let value_weight = exp(s - log_top);
                let value_0 = value_tile[value_base + 0];
                acc[0] += value_weight * value_0[0];
                acc[1] += value_weight * value_0[1];
                acc[2] += value_weight * value_0[2];
                acc[3] += value_weight * value_0[3];
              }
              continue;
            }
            if (key_block != group_block) {
              group_block = key_block;
              group_max = s;
              group_sum = 0.0;
              for (var d = 0; d < 4; d++) {
                group_acc[d] = 0.0;
              }
            }
            if (s > group_max) {
              let correction = exp(group_max - s);
              group_sum *= correction;
              for (var d = 0; d < 4; d++) {
                group_acc[d] *= correction;
              }
              group_max = s;
            }
            let p = exp(s - group_max);
            group_sum += p;
            {
              let value_base = j * 1;
              let value_weight = p;
              let value_0 = value_tile[value_base + 0];
              group_acc[0] += value_weight * value_0[0];
              group_acc[1] += value_weight * value_0[1];
              group_acc[2] += value_weight * value_0[2];
              group_acc[3] += value_weight * value_0[3];
            }
          }
        }
        if (row < nq) {
          let out_flat = (bh * nq + row) * 4;
          for (var d = 0; d < 4; d++) {
            out_attention_858847[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });

  test('top-θ with V-mean compensation, hardware', () => {
    expect(attentionWgsl(topThetaSpec, HARDWARE, { tensors: thetaTensors })).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#6ae9bad1
      // fuses 1 node(s):
      //   attention#6ae9bad1 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   in_theta (read_write): param#4118a19c [2] f32
      //   out_attention_6ae9ba (read_write): attention#6ae9bad1 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> in_theta: array<f32>;
      @group(0) @binding(4) var<storage, read_write> out_attention_6ae9ba: array<f32>;

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
        let theta = in_theta[0 + (h_i * 1)];
        var m_run = -3.4028234e38;
        var l_all = 0.0;
        var l_kept = 0.0;
        var value_sum: array<f32, 4>;
        var visible_count = 0.0;
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
            l_all *= correction;
            l_kept *= correction;
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
              l_all += p;
              visible_count += 1.0;
              {
                let value_base = j * 1;
                let value_weight = 1.0;
                let value_0 = value_tile[value_base + 0];
                value_sum[0] += value_weight * value_0[0];
                value_sum[1] += value_weight * value_0[1];
                value_sum[2] += value_weight * value_0[2];
                value_sum[3] += value_weight * value_0[3];
              }
              if (s >= theta) {
                l_kept += p;
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
        }
        if (row < nq) {
          let out_flat = (bh * nq + row) * 4;
          let inverse_all = select(0.0, 1.0 / l_all, l_all > 0.0);
          let missing = select(0.0, (1.0 - l_kept * inverse_all) / visible_count, visible_count > 0.0);
          for (var d = 0; d < 4; d++) {
            acc[d] = acc[d] * inverse_all + missing * value_sum[d];
          }
          for (var d = 0; d < 4; d++) {
            out_attention_6ae9ba[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });

  test('top-θ with V-mean compensation, software adapter', () => {
    expect(attentionWgsl(topThetaSpec, SOFTWARE, { tensors: thetaTensors })).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#6ae9bad1
      // fuses 1 node(s):
      //   attention#6ae9bad1 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   in_theta (read_write): param#4118a19c [2] f32
      //   out_attention_6ae9ba (read_write): attention#6ae9bad1 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> in_theta: array<f32>;
      @group(0) @binding(4) var<storage, read_write> out_attention_6ae9ba: array<f32>;

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
        let theta = in_theta[0 + (h_i * 1)];
        var m_run = -3.4028234e38;
        var l_all = 0.0;
        var l_kept = 0.0;
        var value_sum: array<f32, 4>;
        var visible_count = 0.0;
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
            l_all *= correction;
            l_kept *= correction;
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
              l_all += p;
              visible_count += 1.0;
              {
                let value_base = j * 1;
                let value_weight = 1.0;
                let value_0 = value_tile[value_base + 0];
                value_sum[0] += value_weight * value_0[0];
                value_sum[1] += value_weight * value_0[1];
                value_sum[2] += value_weight * value_0[2];
                value_sum[3] += value_weight * value_0[3];
              }
              if (s >= theta) {
                l_kept += p;
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
        }
        if (row < nq) {
          let out_flat = (bh * nq + row) * 4;
          let inverse_all = select(0.0, 1.0 / l_all, l_all > 0.0);
          let missing = select(0.0, (1.0 - l_kept * inverse_all) / visible_count, visible_count > 0.0);
          for (var d = 0; d < 4; d++) {
            acc[d] = acc[d] * inverse_all + missing * value_sum[d];
          }
          for (var d = 0; d < 4; d++) {
            out_attention_6ae9ba[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });

  test('p-Laplacian, hardware', () => {
    expect(
      attentionWgsl(pLaplacianSpec, HARDWARE, { tensors: ({ query }) => ({ q: query }) }),
    ).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#7b390015
      // fuses 1 node(s):
      //   attention#7b390015 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_7b3900 (read_write): attention#7b390015 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_7b3900: array<f32>;

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
        let feature_0: i32 = ((0 + (b_i * 64)) + (h_i * 32)) + (q_i * 4);
        let feature_vec_0 = vec4<f32>(in_q[feature_0 + (0 * 1)], in_q[feature_0 + (1 * 1)], in_q[feature_0 + (2 * 1)], in_q[feature_0 + (3 * 1)]);
        let laplacian_p = 1.5;
        let laplacian_mu = 0.5;
        let laplacian_exponent = (laplacian_p - 2.0) * 0.5;
        let laplacian_anchor = 2.0 * laplacian_mu / laplacian_p;
        var m_run = -3.4028234e38;
        var l_run = 0.0;
        var w_run = 0.0;
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
            w_run *= correction;
            for (var d = 0; d < 4; d++) {
              acc[d] *= correction;
            }
            m_run = tile_max;
            for (var j = 0; j < tile_keys; j++) {
              if (((kept >> u32(j)) & 1u) == 0u) {
                continue;
              }
              let s = scores[j];
              let e = exp(s - m_run);
              l_run += e;
              var squared_distance = 0.0;
              {
                let distance_base = j * 1;
                let difference_0 = value_tile[distance_base + 0] - feature_vec_0;
                squared_distance += dot(difference_0, difference_0);
              }
              let distance_weight = e * pow(squared_distance + 0.000001, laplacian_exponent);
              w_run += distance_weight;
              {
                let value_base = j * 1;
                let value_weight = distance_weight;
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
          let laplacian_mass = select(0.0, w_run / l_run, l_run > 0.0);
          let laplacian_denominator = laplacian_mass + laplacian_anchor;
          let alpha = select(0.0, 1.0 / laplacian_denominator, laplacian_denominator != 0.0);
          let key_scale = select(0.0, alpha / l_run, l_run > 0.0);
          let self_weight = 2.0 * laplacian_mu / laplacian_p * alpha;
          acc[0] = acc[0] * key_scale + self_weight * feature_vec_0[0];
          acc[1] = acc[1] * key_scale + self_weight * feature_vec_0[1];
          acc[2] = acc[2] * key_scale + self_weight * feature_vec_0[2];
          acc[3] = acc[3] * key_scale + self_weight * feature_vec_0[3];
          for (var d = 0; d < 4; d++) {
            out_attention_7b3900[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });

  test('p-Laplacian, software adapter', () => {
    expect(
      attentionWgsl(pLaplacianSpec, SOFTWARE, { tensors: ({ query }) => ({ q: query }) }),
    ).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#7b390015
      // fuses 1 node(s):
      //   attention#7b390015 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_7b3900 (read_write): attention#7b390015 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_7b3900: array<f32>;

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
        let feature_0: i32 = ((0 + (b_i * 64)) + (h_i * 32)) + (q_i * 4);
        let feature_vec_0 = vec4<f32>(in_q[feature_0 + (0 * 1)], in_q[feature_0 + (1 * 1)], in_q[feature_0 + (2 * 1)], in_q[feature_0 + (3 * 1)]);
        let laplacian_p = 1.5;
        let laplacian_mu = 0.5;
        let laplacian_exponent = (laplacian_p - 2.0) * 0.5;
        let laplacian_anchor = 2.0 * laplacian_mu / laplacian_p;
        var m_run = -3.4028234e38;
        var l_run = 0.0;
        var w_run = 0.0;
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
            w_run *= correction;
            for (var d = 0; d < 4; d++) {
              acc[d] *= correction;
            }
            m_run = tile_max;
            for (var j = 0; j < tile_keys; j++) {
              if (((kept >> u32(j)) & 1u) == 0u) {
                continue;
              }
              let s = scores[j];
              let e = exp(s - m_run);
              l_run += e;
              var squared_distance = 0.0;
              {
                let distance_base = j * 1;
                let difference_0 = value_tile[distance_base + 0] - feature_vec_0;
                squared_distance += dot(difference_0, difference_0);
              }
              let distance_weight = e * pow(squared_distance + 0.000001, laplacian_exponent);
              w_run += distance_weight;
              {
                let value_base = j * 1;
                let value_weight = distance_weight;
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
          let laplacian_mass = select(0.0, w_run / l_run, l_run > 0.0);
          let laplacian_denominator = laplacian_mass + laplacian_anchor;
          let alpha = select(0.0, 1.0 / laplacian_denominator, laplacian_denominator != 0.0);
          let key_scale = select(0.0, alpha / l_run, l_run > 0.0);
          let self_weight = 2.0 * laplacian_mu / laplacian_p * alpha;
          acc[0] = acc[0] * key_scale + self_weight * feature_vec_0[0];
          acc[1] = acc[1] * key_scale + self_weight * feature_vec_0[1];
          acc[2] = acc[2] * key_scale + self_weight * feature_vec_0[2];
          acc[3] = acc[3] * key_scale + self_weight * feature_vec_0[3];
          for (var d = 0; d < 4; d++) {
            out_attention_7b3900[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });
});
