// Inline WGSL snapshots of the attention kernel for the l1-normalized maps (ReLU, LSSA's softplus
// with a length scale and LSSAR's re-weighting, FAST's Taylor polynomial) and ReLU², on both device
// profiles. Refresh with `pnpm vitest run --project unit packages/attention/src/kernel/snapshots -u`.
import { describe, expect, test } from 'vitest';
import {
  causal,
  polynomialNormalized,
  reluNormalized,
  reluSquared,
  softplusNormalized,
} from '../../index.js';
import { attentionWgsl, DIM, HARDWARE, HEADS, SOFTWARE } from './snapshot-support.js';

const relu = { heads: HEADS, headDim: DIM, mask: causal(), normalizer: reluNormalized(), name: 'relu' };
const softplus = {
  heads: HEADS,
  headDim: DIM,
  mask: causal(),
  normalizer: softplusNormalized({ lengthScale: 'log', reweight: { form: 'reluPower', power: 2 } }),
  name: 'lssar',
} as const;
const polynomial = {
  heads: HEADS,
  headDim: DIM,
  normalizer: polynomialNormalized({ degree: 2 }),
  name: 'fastmax',
};
const squared = { heads: HEADS, headDim: DIM, normalizer: reluSquared(), name: 'relu-squared' };

describe('attention kernel, l1-normalized maps', () => {
  test('relu / Σ relu, causal, hardware', () => {
    expect(attentionWgsl(relu, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#092ecff2
      // fuses 1 node(s):
      //   attention#092ecff2 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_092ecf (read_write): attention#092ecff2 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_092ecf: array<f32>;

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
            let w = max(s, 0.0);
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
            out_attention_092ecf[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('relu / Σ relu, causal, software adapter', () => {
    expect(attentionWgsl(relu, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#092ecff2
      // fuses 1 node(s):
      //   attention#092ecff2 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_092ecf (read_write): attention#092ecff2 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_092ecf: array<f32>;

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
            let w = max(s, 0.0);
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
            out_attention_092ecf[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('softplus with a log length scale and relu-power re-weighting, hardware', () => {
    expect(attentionWgsl(softplus, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#7030b0fd
      // fuses 1 node(s):
      //   attention#7030b0fd -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_7030b0 (read_write): attention#7030b0fd [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_7030b0: array<f32>;

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
        var l_run = 0.0;
        var kept_count = 0.0;
        var g_run = 0.0;
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
          kept_count += f32(countOneBits(kept));
        }
        let length_scale = log(max(kept_count, 1.0)) * 1.0;
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
            let w = max((length_scale * s), 0.0) + log(1.0 + exp(-abs((length_scale * s))));
            l_run += w;
          }
        }
        let inverse_total = select(0.0, 1.0 / l_run, l_run > 0.0);
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
            let w = max((length_scale * s), 0.0) + log(1.0 + exp(-abs((length_scale * s))));
            let a = w * inverse_total - 1.0 / max(kept_count, 1.0);
            let g = select(0.0, pow(a, 2.0), a > 0.0);
            g_run += g;
            {
              let value_base = j * 1;
              let value_weight = g;
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
            out_attention_7030b0[out_flat + d] = acc[d] * select(0.0, 1.0 / g_run, g_run > 0.0);
          }
        }
      }"
    `);
  });

  test('softplus with a log length scale and relu-power re-weighting, software adapter', () => {
    expect(attentionWgsl(softplus, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#7030b0fd
      // fuses 1 node(s):
      //   attention#7030b0fd -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_7030b0 (read_write): attention#7030b0fd [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_7030b0: array<f32>;

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
        var l_run = 0.0;
        var kept_count = 0.0;
        var g_run = 0.0;
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
          kept_count += f32(countOneBits(kept));
        }
        let length_scale = log(max(kept_count, 1.0)) * 1.0;
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
            let w = max((length_scale * s), 0.0) + log(1.0 + exp(-abs((length_scale * s))));
            l_run += w;
          }
        }
        let inverse_total = select(0.0, 1.0 / l_run, l_run > 0.0);
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
            let w = max((length_scale * s), 0.0) + log(1.0 + exp(-abs((length_scale * s))));
            let a = w * inverse_total - 1.0 / max(kept_count, 1.0);
            let g = select(0.0, pow(a, 2.0), a > 0.0);
            g_run += g;
            {
              let value_base = j * 1;
              let value_weight = g;
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
            out_attention_7030b0[out_flat + d] = acc[d] * select(0.0, 1.0 / g_run, g_run > 0.0);
          }
        }
      }"
    `);
  });

  test('degree-2 Taylor polynomial, hardware', () => {
    expect(attentionWgsl(polynomial, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#4941e796
      // fuses 1 node(s):
      //   attention#4941e796 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_4941e7 (read_write): attention#4941e796 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_4941e7: array<f32>;

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
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            let w = 1.0 + s + 0.5 * s * s;
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
            out_attention_4941e7[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('degree-2 Taylor polynomial, software adapter', () => {
    expect(attentionWgsl(polynomial, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#4941e796
      // fuses 1 node(s):
      //   attention#4941e796 -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_4941e7 (read_write): attention#4941e796 [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_4941e7: array<f32>;

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
          for (var j = 0; j < tile_keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            let w = 1.0 + s + 0.5 * s * s;
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
            out_attention_4941e7[out_flat + d] = acc[d] * select(0.0, 1.0 / l_run, l_run > 0.0);
          }
        }
      }"
    `);
  });

  test('relu² / keys, hardware', () => {
    expect(attentionWgsl(squared, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#bb7846ac
      // fuses 1 node(s):
      //   attention#bb7846ac -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_bb7846 (read_write): attention#bb7846ac [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_bb7846: array<f32>;

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
            let r = max(s, 0.0);
            {
              let value_base = j * 1;
              let value_weight = r * r;
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
            out_attention_bb7846[out_flat + d] = acc[d] * (1.0 / f32(nk));
          }
        }
      }"
    `);
  });

  test('relu² / keys, software adapter', () => {
    expect(attentionWgsl(squared, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: template attention, anchor attention#bb7846ac
      // fuses 1 node(s):
      //   attention#bb7846ac -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read_write): input#54194192 [1, 2, 8, 4] f32
      //   in_k (read_write): input#4da8bf49 [1, 2, 8, 4] f32
      //   in_v (read_write): input#01419aa8 [1, 2, 8, 4] f32
      //   out_attention_bb7846 (read_write): attention#bb7846ac [1, 2, 8, 4] f32

      @group(0) @binding(0) var<storage, read_write> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read_write> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read_write> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attention_bb7846: array<f32>;

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
            let r = max(s, 0.0);
            {
              let value_base = j * 1;
              let value_weight = r * r;
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
            out_attention_bb7846[out_flat + d] = acc[d] * (1.0 / f32(nk));
          }
        }
      }"
    `);
  });
});
