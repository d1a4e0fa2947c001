// Inline WGSL snapshots of the attention kernel for the normalizers built on row statistics
// (α-entmax and sparsemax by bisection, NAP's standardization, TransNormer's identity with an output
// norm), on both device profiles. Refresh with
// `pnpm vitest run --project unit packages/attention/src/kernel/snapshots -u`.
import { describe, expect, test } from 'vitest';
import { causal, entmax, identity, nap, sparsemax } from '../../index.js';
import { attentionWgsl, DIM, HARDWARE, HEADS, SOFTWARE } from './snapshot-support.js';

const entmax15 = {
  heads: HEADS,
  headDim: DIM,
  mask: causal(),
  normalizer: entmax({ alpha: 1.5 }),
  name: 'entmax',
};
const sparse = { heads: HEADS, headDim: DIM, normalizer: sparsemax(), name: 'sparsemax' };
const napSpec = { heads: HEADS, headDim: DIM, mask: causal(), normalizer: nap(), name: 'nap' };
const identitySpec = { heads: HEADS, headDim: DIM, normalizer: identity(), name: 'transnormer' };

describe('attention kernel, row-statistics normalizers', () => {
  test('1.5-entmax, causal, hardware', () => {
    expect(attentionWgsl(entmax15, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#78e1ae71
      // fuses 1 node(s):
      //   attention#78e1ae71 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_78e1ae (read_write): attention#78e1ae71 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_78e1ae: array<f32>;

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
        let alpha_raw = 1.5;
        let alpha_minus_one = clamp(alpha_raw, 1.01, 2.0) - 1.0;
        let inverse_power = 1.0 / alpha_minus_one;
        var m_run = -3.4028234e38;
        var count = 0.0;
        var low = 0.0;
        var high = 0.0;
        var l_run = 0.0;
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
            m_run = max(m_run, alpha_minus_one * s);
            count += 1.0;
          }
        }
        if (count > 0.0) {
          low = m_run - 1.0;
          high = m_run - pow(1.0 / count, alpha_minus_one);
        }
        for (var step = 0; step < 30; step++) {
          let tau = 0.5 * (low + high);
          var mass = 0.0;
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
            mass += select(0.0, pow(alpha_minus_one * s - tau, inverse_power), alpha_minus_one * s - tau > 0.0);
          }
        }
          if (mass >= 1.0) {
            low = tau;
          } else {
            high = tau;
          }
        }
        let tau_final = 0.5 * (low + high);
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
            let w = select(0.0, pow(alpha_minus_one * s - tau_final, inverse_power), alpha_minus_one * s - tau_final > 0.0);
            l_run += w;
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
            out_attention_78e1ae[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('1.5-entmax, causal, software adapter', () => {
    expect(attentionWgsl(entmax15, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#78e1ae71
      // fuses 1 node(s):
      //   attention#78e1ae71 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_78e1ae (read_write): attention#78e1ae71 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_78e1ae: array<f32>;

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
        let alpha_raw = 1.5;
        let alpha_minus_one = clamp(alpha_raw, 1.01, 2.0) - 1.0;
        let inverse_power = 1.0 / alpha_minus_one;
        var m_run = -3.4028234e38;
        var count = 0.0;
        var low = 0.0;
        var high = 0.0;
        var l_run = 0.0;
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
            m_run = max(m_run, alpha_minus_one * s);
            count += 1.0;
          }
        }
        if (count > 0.0) {
          low = m_run - 1.0;
          high = m_run - pow(1.0 / count, alpha_minus_one);
        }
        for (var step = 0; step < 30; step++) {
          let tau = 0.5 * (low + high);
          var mass = 0.0;
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
            mass += select(0.0, pow(alpha_minus_one * s - tau, inverse_power), alpha_minus_one * s - tau > 0.0);
          }
        }
          if (mass >= 1.0) {
            low = tau;
          } else {
            high = tau;
          }
        }
        let tau_final = 0.5 * (low + high);
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
            let w = select(0.0, pow(alpha_minus_one * s - tau_final, inverse_power), alpha_minus_one * s - tau_final > 0.0);
            l_run += w;
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
            out_attention_78e1ae[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('sparsemax, hardware', () => {
    expect(attentionWgsl(sparse, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#07f9fbe1
      // fuses 1 node(s):
      //   attention#07f9fbe1 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_07f9fb (read_write): attention#07f9fbe1 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_07f9fb: array<f32>;

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
        let alpha_raw = 2.0;
        let alpha_minus_one = clamp(alpha_raw, 1.01, 2.0) - 1.0;
        let inverse_power = 1.0 / alpha_minus_one;
        var m_run = -3.4028234e38;
        var count = 0.0;
        var low = 0.0;
        var high = 0.0;
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
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            m_run = max(m_run, alpha_minus_one * s);
            count += 1.0;
          }
        }
        if (count > 0.0) {
          low = m_run - 1.0;
          high = m_run - pow(1.0 / count, alpha_minus_one);
        }
        for (var step = 0; step < 30; step++) {
          let tau = 0.5 * (low + high);
          var mass = 0.0;
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
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            mass += select(0.0, pow(alpha_minus_one * s - tau, inverse_power), alpha_minus_one * s - tau > 0.0);
          }
        }
          if (mass >= 1.0) {
            low = tau;
          } else {
            high = tau;
          }
        }
        let tau_final = 0.5 * (low + high);
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
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            let w = select(0.0, pow(alpha_minus_one * s - tau_final, inverse_power), alpha_minus_one * s - tau_final > 0.0);
            l_run += w;
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
            out_attention_07f9fb[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('sparsemax, software adapter', () => {
    expect(attentionWgsl(sparse, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#07f9fbe1
      // fuses 1 node(s):
      //   attention#07f9fbe1 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_07f9fb (read_write): attention#07f9fbe1 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_07f9fb: array<f32>;

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
        let alpha_raw = 2.0;
        let alpha_minus_one = clamp(alpha_raw, 1.01, 2.0) - 1.0;
        let inverse_power = 1.0 / alpha_minus_one;
        var m_run = -3.4028234e38;
        var count = 0.0;
        var low = 0.0;
        var high = 0.0;
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
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            m_run = max(m_run, alpha_minus_one * s);
            count += 1.0;
          }
        }
        if (count > 0.0) {
          low = m_run - 1.0;
          high = m_run - pow(1.0 / count, alpha_minus_one);
        }
        for (var step = 0; step < 30; step++) {
          let tau = 0.5 * (low + high);
          var mass = 0.0;
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
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            mass += select(0.0, pow(alpha_minus_one * s - tau, inverse_power), alpha_minus_one * s - tau > 0.0);
          }
        }
          if (mass >= 1.0) {
            low = tau;
          } else {
            high = tau;
          }
        }
        let tau_final = 0.5 * (low + high);
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
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            let w = select(0.0, pow(alpha_minus_one * s - tau_final, inverse_power), alpha_minus_one * s - tau_final > 0.0);
            l_run += w;
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
            out_attention_07f9fb[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('NAP standardization, causal, hardware', () => {
    expect(attentionWgsl(napSpec, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#06b800e2
      // fuses 1 node(s):
      //   attention#06b800e2 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_06b800 (read_write): attention#06b800e2 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_06b800: array<f32>;

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
        let gain = 1.0;
        let bias = 0.0;
        var count = 0.0;
        var mean = 0.0;
        var m2 = 0.0;
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
            count += 1.0;
            let delta = s - mean;
            mean += delta / count;
            m2 += delta * (s - mean);
          }
        }
        let deviation = sqrt(m2 / max(count, 1.0)) + 0.001;
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
            let w = gain * (s - mean) / deviation + bias;
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
            out_attention_06b800[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });

  test('NAP standardization, causal, software adapter', () => {
    expect(attentionWgsl(napSpec, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#06b800e2
      // fuses 1 node(s):
      //   attention#06b800e2 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_06b800 (read_write): attention#06b800e2 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_06b800: array<f32>;

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
        let gain = 1.0;
        let bias = 0.0;
        var count = 0.0;
        var mean = 0.0;
        var m2 = 0.0;
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
            count += 1.0;
            let delta = s - mean;
            mean += delta / count;
            m2 += delta * (s - mean);
          }
        }
        let deviation = sqrt(m2 / max(count, 1.0)) + 0.001;
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
            let w = gain * (s - mean) / deviation + bias;
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
            out_attention_06b800[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });

  test('identity with the output row normalized, hardware', () => {
    expect(attentionWgsl(identitySpec, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#f0822d08
      // fuses 1 node(s):
      //   attention#f0822d08 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_f0822d (read_write): attention#f0822d08 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_f0822d: array<f32>;

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
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            {
              let value_base = j * 1;
              let value_weight = s;
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
          let norm_mean = 0.0;
          var norm_squares = 0.0;
          for (var d = 0; d < 4; d++) {
            let centered = acc[d] - norm_mean;
            norm_squares += centered * centered;
          }
          let norm_denominator = norm_squares / f32(4) + 0.00001;
          let norm_inverse = select(0.0, inverseSqrt(norm_denominator), norm_denominator > 0.0);
          for (var d = 0; d < 4; d++) {
            acc[d] = (acc[d] - norm_mean) * norm_inverse;
          }
          for (var d = 0; d < 4; d++) {
            out_attention_f0822d[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });

  test('identity with the output row normalized, software adapter', () => {
    expect(attentionWgsl(identitySpec, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#f0822d08
      // fuses 1 node(s):
      //   attention#f0822d08 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_f0822d (read_write): attention#f0822d08 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_f0822d: array<f32>;

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
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            {
              let value_base = j * 1;
              let value_weight = s;
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
          let norm_mean = 0.0;
          var norm_squares = 0.0;
          for (var d = 0; d < 4; d++) {
            let centered = acc[d] - norm_mean;
            norm_squares += centered * centered;
          }
          let norm_denominator = norm_squares / f32(4) + 0.00001;
          let norm_inverse = select(0.0, inverseSqrt(norm_denominator), norm_denominator > 0.0);
          for (var d = 0; d < 4; d++) {
            acc[d] = (acc[d] - norm_mean) * norm_inverse;
          }
          for (var d = 0; d < 4; d++) {
            out_attention_f0822d[out_flat + d] = acc[d] * 1.0;
          }
        }
      }"
    `);
  });
});
