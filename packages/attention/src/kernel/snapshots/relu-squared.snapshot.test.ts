// Inline WGSL snapshots of the attention kernel for ReLU² divided by the key count, on both device
// profiles.
// Refresh with `pnpm vitest run --project unit packages/attention/src/kernel/snapshots -u`.
import { describe, expect, test } from 'vitest';
import { reluSquared } from '../../index.js';
import { attentionWgsl, DIM, HARDWARE, HEADS, SOFTWARE } from './snapshot-support.js';

const squared = { heads: HEADS, headDim: DIM, normalizer: reluSquared(), name: 'relu-squared' };

describe('attention kernel, relu² / keys', () => {
  test('relu² / keys, hardware', () => {
    expect(attentionWgsl(squared, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: relu-squared - attention (reluSquared)
      // fuses 1 node(s):
      //   attention "relu-squared" -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 8, 4] f32
      //   in_k (read): input "k" [1, 2, 8, 4] f32
      //   in_v (read): input "v" [1, 2, 8, 4] f32
      //   out_relu_squared (read_write): attention "relu-squared" [1, 2, 8, 4] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_relu_squared: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;

      // ---- helpers ----
      // What one workgroup works on: lengths, batch·head, query block and K/V rows.
      struct Block {
        nq: i32,
        nk: i32,
        bh: i32,
        kv_row: i32,
      }

      // Key tile bounds [k0, k1], its key count and its kind under the mask block rule
      // (0: every pair masked, the tile is skipped; 1: partial, the mask runs; 2: every pair kept).
      struct Tile {
        k0: i32,
        k1: i32,
        keys: i32,
        kind: u32,
      }

      // Key tile tile_index, once every invocation is done with the previous one. (nk is a parameter of
      // its own: the tile must be uniform, and Block may hold values the uniformity analysis does not trust.)
      fn begin_tile(tile_index: i32, nk: i32) -> Tile {
        let tile_k0 = tile_index * 32;
        let tile_k1 = min(tile_k0 + 32, nk) - 1;
        workgroupBarrier();
        return Tile(tile_k0, tile_k1, tile_k1 - tile_k0 + 1, 1u);
      }

      // Element d of value row key_i.
      fn value_element(block: Block, key_i: i32, d: i32) -> f32 {
        let kv_row = block.kv_row;
        return in_v[(kv_row + key_i) * 4 + d];
      }

      // Element d of key row key_i.
      fn key_element(block: Block, key_i: i32, d: i32) -> f32 {
        let kv_row = block.kv_row;
        return in_k[(kv_row + key_i) * 4 + d];
      }

      // Stages the K rows of the tile from tile_k0 in key_tile (1 vec4s per key, prepared).
      fn stage_key_tile(block: Block, tile_k0: i32, local_index: u32) {
        let nk = block.nk;
        for (var index = i32(local_index); index < 32; index += 32) {
          let key_i = tile_k0 + index / 1;
          let d0 = (index % 1) * 4;
          var packed = vec4<f32>(0.0);
          if (key_i < nk) {
            packed = vec4<f32>(
              key_element(block, key_i, d0),
              key_element(block, key_i, d0 + 1),
              key_element(block, key_i, d0 + 2),
              key_element(block, key_i, d0 + 3),
            );
          }
          key_tile[index] = packed;
        }
      }

      // Stages the V rows of the tile from tile_k0 in value_tile (1 vec4s per key).
      fn stage_value_tile(block: Block, tile_k0: i32, local_index: u32) {
        let nk = block.nk;
        for (var index = i32(local_index); index < 32; index += 32) {
          let key_i = tile_k0 + index / 1;
          let d0 = (index % 1) * 4;
          var loaded = vec4<f32>(0.0);
          if (key_i < nk) {
            loaded = vec4<f32>(
              value_element(block, key_i, d0),
              value_element(block, key_i, d0 + 1),
              value_element(block, key_i, d0 + 2),
              value_element(block, key_i, d0 + 3),
            );
          }
          value_tile[index] = loaded;
        }
      }

      // Key row j of the staged tile.
      fn staged_key(j: i32) -> array<vec4<f32>, 1> {
        return array<vec4<f32>, 1>(
          key_tile[j],
        );
      }

      // Query row q_i, prepared (QK norm, RoPE) and packed as vec4s (zero past the head dim).
      fn load_query_row(block: Block, q_i: i32) -> array<vec4<f32>, 1> {
        let nq = block.nq;
        let bh = block.bh;
        let query_flat = (bh * nq + q_i) * 4;
        var row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          row[d] = in_q[query_flat + d];
        }
        return array<vec4<f32>, 1>(
          vec4<f32>(row[0], row[1], row[2], row[3]),
        );
      }

      // A score and whether the mask keeps it.
      struct Score {
        value: f32,
        kept: bool,
      }

      // The score of query q_i (vec4s \`query\`) against key key_i (vec4s \`key\`), and whether the mask keeps
      // the pair (tile_kind 1: a partial tile, where the mask runs; 2: every pair of the tile is kept).
      fn score_key(query: array<vec4<f32>, 1>, key: array<vec4<f32>, 1>) -> Score {
        let raw = dot(query[0], key[0]);
        return Score(raw * 0.5, true);
      }

      // Scores query q_i against every key of the staged tile: \`scores[j]\`, and the bitmask of kept keys.
      fn score_tile(query: array<vec4<f32>, 1>, tile: Tile, scores: ptr<function, array<f32, 32>>) -> u32 {
        var kept = 0u;
        for (var j = 0; j < tile.keys; j++) {
          let score = score_key(query, staged_key(j));
          if (score.kept) {
            (*scores)[j] = score.value;
            kept |= 1u << u32(j);
          }
        }
        return kept;
      }

      // Key tile tile_index with its K and V rows staged (unless every pair is masked).
      fn load_tile(block: Block, tile_index: i32, local_index: u32, nk: i32) -> Tile {
        let tile = begin_tile(tile_index, nk);
        stage_key_tile(block, tile.k0, local_index);
        stage_value_tile(block, tile.k0, local_index);
        workgroupBarrier();
        return tile;
      }

      // Stores query row \`row\` (when in range): its accumulator times \`scale\`.
      fn store_output_row(block: Block, row: i32, acc: ptr<function, array<f32, 4>>, scale: f32) {
        let nq = block.nq;
        let bh = block.bh;
        if (row >= nq) {
          return;
        }
        let out_flat = (bh * nq + row) * 4;
        for (var d = 0; d < 4; d++) {
          out_relu_squared[out_flat + d] = (*acc)[d] * scale;
        }
      }

      // sums += weight · value row j of the staged tile.
      fn accumulate_value_tile(sums: ptr<function, array<f32, 4>>, j: i32, weight: f32) {
        let value_0 = value_tile[j];
        (*sums)[0] += weight * value_0[0];
        (*sums)[1] += weight * value_0[1];
        (*sums)[2] += weight * value_0[2];
        (*sums)[3] += weight * value_0[3];
      }

      // ---- entry point ----
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
        if (bh >= 2) {
          return;
        }
        let kv_row = bh * nk;
        let block_q0 = block_q * 32;
        let key_tiles = (nk + 31) / 32;
        let block = Block(nq, nk, bh, kv_row);
        let row = block_q0 + i32(local_index);
        // Rows past the end compute on the last row (loads in bounds, barriers uniform) and store nothing.
        let q_i = min(row, nq - 1);
        let query = load_query_row(block, q_i);
        var acc: array<f32, 4>;
        var scores: array<f32, 32>;
        for (var tile_index = 0; tile_index < key_tiles; tile_index++) {
          let tile = load_tile(block, tile_index, local_index, nk);
          let kept = score_tile(query, tile, &scores);
          for (var j = 0; j < tile.keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            let weight_0: f32 = max(s, 0.0);
            let w = weight_0 * weight_0;
            accumulate_value_tile(&acc, j, w);
          }
        }
        store_output_row(block, row, &acc, (1.0 / f32(nk)));
      }"
    `);
  });

  test('relu² / keys, software adapter', () => {
    expect(attentionWgsl(squared, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: relu-squared - attention (reluSquared)
      // fuses 1 node(s):
      //   attention "relu-squared" -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 8, 4] f32
      //   in_k (read): input "k" [1, 2, 8, 4] f32
      //   in_v (read): input "v" [1, 2, 8, 4] f32
      //   out_relu_squared (read_write): attention "relu-squared" [1, 2, 8, 4] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_relu_squared: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;

      // ---- helpers ----
      // What one workgroup works on: lengths, batch·head, query block and K/V rows.
      struct Block {
        nq: i32,
        nk: i32,
        bh: i32,
        kv_row: i32,
      }

      // Key tile bounds [k0, k1], its key count and its kind under the mask block rule
      // (0: every pair masked, the tile is skipped; 1: partial, the mask runs; 2: every pair kept).
      struct Tile {
        k0: i32,
        k1: i32,
        keys: i32,
        kind: u32,
      }

      // Key tile tile_index, once every invocation is done with the previous one. (nk is a parameter of
      // its own: the tile must be uniform, and Block may hold values the uniformity analysis does not trust.)
      fn begin_tile(tile_index: i32, nk: i32) -> Tile {
        let tile_k0 = tile_index * 32;
        let tile_k1 = min(tile_k0 + 32, nk) - 1;
        workgroupBarrier();
        return Tile(tile_k0, tile_k1, tile_k1 - tile_k0 + 1, 1u);
      }

      // Element d of value row key_i.
      fn value_element(block: Block, key_i: i32, d: i32) -> f32 {
        let kv_row = block.kv_row;
        return in_v[(kv_row + key_i) * 4 + d];
      }

      // Element d of key row key_i.
      fn key_element(block: Block, key_i: i32, d: i32) -> f32 {
        let kv_row = block.kv_row;
        return in_k[(kv_row + key_i) * 4 + d];
      }

      // Stages the K rows of the tile from tile_k0 in key_tile (1 vec4s per key, prepared).
      fn stage_key_tile(block: Block, tile_k0: i32, local_index: u32) {
        let nk = block.nk;
        for (var index = i32(local_index); index < 32; index += 32) {
          let key_i = tile_k0 + index / 1;
          let d0 = (index % 1) * 4;
          var packed = vec4<f32>(0.0);
          if (key_i < nk) {
            packed = vec4<f32>(
              key_element(block, key_i, d0),
              key_element(block, key_i, d0 + 1),
              key_element(block, key_i, d0 + 2),
              key_element(block, key_i, d0 + 3),
            );
          }
          key_tile[index] = packed;
        }
      }

      // Stages the V rows of the tile from tile_k0 in value_tile (1 vec4s per key).
      fn stage_value_tile(block: Block, tile_k0: i32, local_index: u32) {
        let nk = block.nk;
        for (var index = i32(local_index); index < 32; index += 32) {
          let key_i = tile_k0 + index / 1;
          let d0 = (index % 1) * 4;
          var loaded = vec4<f32>(0.0);
          if (key_i < nk) {
            loaded = vec4<f32>(
              value_element(block, key_i, d0),
              value_element(block, key_i, d0 + 1),
              value_element(block, key_i, d0 + 2),
              value_element(block, key_i, d0 + 3),
            );
          }
          value_tile[index] = loaded;
        }
      }

      // Key row j of the staged tile.
      fn staged_key(j: i32) -> array<vec4<f32>, 1> {
        return array<vec4<f32>, 1>(
          key_tile[j],
        );
      }

      // Query row q_i, prepared (QK norm, RoPE) and packed as vec4s (zero past the head dim).
      fn load_query_row(block: Block, q_i: i32) -> array<vec4<f32>, 1> {
        let nq = block.nq;
        let bh = block.bh;
        let query_flat = (bh * nq + q_i) * 4;
        var row: array<f32, 4>;
        for (var d = 0; d < 4; d++) {
          row[d] = in_q[query_flat + d];
        }
        return array<vec4<f32>, 1>(
          vec4<f32>(row[0], row[1], row[2], row[3]),
        );
      }

      // A score and whether the mask keeps it.
      struct Score {
        value: f32,
        kept: bool,
      }

      // The score of query q_i (vec4s \`query\`) against key key_i (vec4s \`key\`), and whether the mask keeps
      // the pair (tile_kind 1: a partial tile, where the mask runs; 2: every pair of the tile is kept).
      fn score_key(query: array<vec4<f32>, 1>, key: array<vec4<f32>, 1>) -> Score {
        let raw = dot(query[0], key[0]);
        return Score(raw * 0.5, true);
      }

      // Scores query q_i against every key of the staged tile: \`scores[j]\`, and the bitmask of kept keys.
      fn score_tile(query: array<vec4<f32>, 1>, tile: Tile, scores: ptr<function, array<f32, 32>>) -> u32 {
        var kept = 0u;
        for (var j = 0; j < tile.keys; j++) {
          let score = score_key(query, staged_key(j));
          if (score.kept) {
            (*scores)[j] = score.value;
            kept |= 1u << u32(j);
          }
        }
        return kept;
      }

      // Key tile tile_index with its K and V rows staged (unless every pair is masked).
      fn load_tile(block: Block, tile_index: i32, local_index: u32, nk: i32) -> Tile {
        let tile = begin_tile(tile_index, nk);
        stage_key_tile(block, tile.k0, local_index);
        stage_value_tile(block, tile.k0, local_index);
        workgroupBarrier();
        return tile;
      }

      // Stores query row \`row\` (when in range): its accumulator times \`scale\`.
      fn store_output_row(block: Block, row: i32, acc: ptr<function, array<f32, 4>>, scale: f32) {
        let nq = block.nq;
        let bh = block.bh;
        if (row >= nq) {
          return;
        }
        let out_flat = (bh * nq + row) * 4;
        for (var d = 0; d < 4; d++) {
          out_relu_squared[out_flat + d] = (*acc)[d] * scale;
        }
      }

      // sums += weight · value row j of the staged tile.
      fn accumulate_value_tile(sums: ptr<function, array<f32, 4>>, j: i32, weight: f32) {
        let value_0 = value_tile[j];
        (*sums)[0] += weight * value_0[0];
        (*sums)[1] += weight * value_0[1];
        (*sums)[2] += weight * value_0[2];
        (*sums)[3] += weight * value_0[3];
      }

      // ---- entry point ----
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
        if (bh >= 2) {
          return;
        }
        let kv_row = bh * nk;
        let block_q0 = block_q * 32;
        let key_tiles = (nk + 31) / 32;
        let block = Block(nq, nk, bh, kv_row);
        let row = block_q0 + i32(local_index);
        // Rows past the end compute on the last row (loads in bounds, barriers uniform) and store nothing.
        let q_i = min(row, nq - 1);
        let query = load_query_row(block, q_i);
        var acc: array<f32, 4>;
        var scores: array<f32, 32>;
        for (var tile_index = 0; tile_index < key_tiles; tile_index++) {
          let tile = load_tile(block, tile_index, local_index, nk);
          let kept = score_tile(query, tile, &scores);
          for (var j = 0; j < tile.keys; j++) {
            if (((kept >> u32(j)) & 1u) == 0u) {
              continue;
            }
            let s = scores[j];
            let weight_0: f32 = max(s, 0.0);
            let w = weight_0 * weight_0;
            accumulate_value_tile(&acc, j, w);
          }
        }
        store_output_row(block, row, &acc, (1.0 / f32(nk)));
      }"
    `);
  });
});
