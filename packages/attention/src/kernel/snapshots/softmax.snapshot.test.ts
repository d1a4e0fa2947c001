import { describe, expect, test } from 'vitest';
import { attentionWgsl, DIM, HARDWARE, HEADS, SOFTWARE } from './snapshot-support.js';

const plain = { heads: HEADS, headDim: DIM, name: 'plain' };

describe('attention kernel, softmax', () => {
  test('softmax, hardware', () => {
    expect(attentionWgsl(plain, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: plain - attention (softmax)
      // fuses 1 node(s):
      //   attention "plain" -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 8, 4] f32
      //   in_k (read): input "k" [1, 2, 8, 4] f32
      //   in_v (read): input "v" [1, 2, 8, 4] f32
      //   out_plain (read_write): attention "plain" [1, 2, 8, 4] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_plain: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;

      // ---- helpers ----
      // The most negative finite f32: a running max before any key (no reliance on infinities).
      const lowest_f32 = -3.4028234e38;

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
          out_plain[out_flat + d] = (*acc)[d] * scale;
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
        var m_run = lowest_f32;
        var l_run = 0.0;
        for (var tile_index = 0; tile_index < key_tiles; tile_index++) {
          let tile = load_tile(block, tile_index, local_index, nk);
          let kept = score_tile(query, tile, &scores);
          if (kept != 0u) {
            var tile_max = m_run;
            for (var j = 0; j < tile.keys; j++) {
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
            for (var j = 0; j < tile.keys; j++) {
              if (((kept >> u32(j)) & 1u) == 0u) {
                continue;
              }
              let s = scores[j];
              let p = exp(s - m_run);
              l_run += p;
              accumulate_value_tile(&acc, j, p);
            }
          }
        }
        store_output_row(block, row, &acc, select(0.0, 1.0 / l_run, l_run > 0.0));
      }"
    `);
  });

  test('softmax, software adapter: several query rows per invocation', () => {
    expect(attentionWgsl(plain, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: plain - attention (softmax)
      // fuses 1 node(s):
      //   attention "plain" -> [1, 2, 8, 4] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 8, 4] f32
      //   in_k (read): input "k" [1, 2, 8, 4] f32
      //   in_v (read): input "v" [1, 2, 8, 4] f32
      //   out_plain (read_write): attention "plain" [1, 2, 8, 4] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_plain: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;

      // ---- helpers ----
      // The most negative finite f32: a running max before any key (no reliance on infinities).
      const lowest_f32 = -3.4028234e38;

      // Per-invocation state of its 8 query rows (row r: first_row + 4·r): query index
      // and vec4s, running max and sum, output accumulator (vec4s), and the current tile: scores, max, kept keys.
      var<private> query_index: array<i32, 8>;
      var<private> query_vectors: array<array<vec4<f32>, 1>, 8>;
      var<private> m_run: array<f32, 8>;
      var<private> l_run: array<f32, 8>;
      var<private> acc: array<array<vec4<f32>, 1>, 8>;
      var<private> scores: array<array<f32, 32>, 8>;
      var<private> tile_max: array<f32, 8>;
      var<private> kept: array<u32, 8>;

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
        for (var index = i32(local_index); index < 32; index += 4) {
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
        for (var index = i32(local_index); index < 32; index += 4) {
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

      // Loads the query rows of the invocation. Rows past the end compute on the last row (loads in
      // bounds, barriers uniform) and store nothing.
      fn start_rows(block: Block, first_row: i32) {
        let nq = block.nq;
        query_index[0] = min(first_row, nq - 1);
        query_vectors[0] = load_query_row(block, query_index[0]);
        query_index[1] = min(first_row + 4, nq - 1);
        query_vectors[1] = load_query_row(block, query_index[1]);
        query_index[2] = min(first_row + 8, nq - 1);
        query_vectors[2] = load_query_row(block, query_index[2]);
        query_index[3] = min(first_row + 12, nq - 1);
        query_vectors[3] = load_query_row(block, query_index[3]);
        query_index[4] = min(first_row + 16, nq - 1);
        query_vectors[4] = load_query_row(block, query_index[4]);
        query_index[5] = min(first_row + 20, nq - 1);
        query_vectors[5] = load_query_row(block, query_index[5]);
        query_index[6] = min(first_row + 24, nq - 1);
        query_vectors[6] = load_query_row(block, query_index[6]);
        query_index[7] = min(first_row + 28, nq - 1);
        query_vectors[7] = load_query_row(block, query_index[7]);
        m_run[0] = lowest_f32;
        m_run[1] = lowest_f32;
        m_run[2] = lowest_f32;
        m_run[3] = lowest_f32;
        m_run[4] = lowest_f32;
        m_run[5] = lowest_f32;
        m_run[6] = lowest_f32;
        m_run[7] = lowest_f32;
      }

      // Scores every row against the staged tile: scores, the tile's max (from the running max), kept keys.
      fn score_tile(tile: Tile) {
        kept[0] = 0u;
        tile_max[0] = m_run[0];
        kept[1] = 0u;
        tile_max[1] = m_run[1];
        kept[2] = 0u;
        tile_max[2] = m_run[2];
        kept[3] = 0u;
        tile_max[3] = m_run[3];
        kept[4] = 0u;
        tile_max[4] = m_run[4];
        kept[5] = 0u;
        tile_max[5] = m_run[5];
        kept[6] = 0u;
        tile_max[6] = m_run[6];
        kept[7] = 0u;
        tile_max[7] = m_run[7];
        for (var j = 0; j < tile.keys; j++) {
          let key = staged_key(j);
          let bit = 1u << u32(j);
          let score_0 = score_key(query_vectors[0], key);
          if (score_0.kept) {
            scores[0][j] = score_0.value;
            tile_max[0] = max(tile_max[0], score_0.value);
            kept[0] |= bit;
          }
          let score_1 = score_key(query_vectors[1], key);
          if (score_1.kept) {
            scores[1][j] = score_1.value;
            tile_max[1] = max(tile_max[1], score_1.value);
            kept[1] |= bit;
          }
          let score_2 = score_key(query_vectors[2], key);
          if (score_2.kept) {
            scores[2][j] = score_2.value;
            tile_max[2] = max(tile_max[2], score_2.value);
            kept[2] |= bit;
          }
          let score_3 = score_key(query_vectors[3], key);
          if (score_3.kept) {
            scores[3][j] = score_3.value;
            tile_max[3] = max(tile_max[3], score_3.value);
            kept[3] |= bit;
          }
          let score_4 = score_key(query_vectors[4], key);
          if (score_4.kept) {
            scores[4][j] = score_4.value;
            tile_max[4] = max(tile_max[4], score_4.value);
            kept[4] |= bit;
          }
          let score_5 = score_key(query_vectors[5], key);
          if (score_5.kept) {
            scores[5][j] = score_5.value;
            tile_max[5] = max(tile_max[5], score_5.value);
            kept[5] |= bit;
          }
          let score_6 = score_key(query_vectors[6], key);
          if (score_6.kept) {
            scores[6][j] = score_6.value;
            tile_max[6] = max(tile_max[6], score_6.value);
            kept[6] |= bit;
          }
          let score_7 = score_key(query_vectors[7], key);
          if (score_7.kept) {
            scores[7][j] = score_7.value;
            tile_max[7] = max(tile_max[7], score_7.value);
            kept[7] |= bit;
          }
        }
      }

      // acc[r] += p[r] · value row j of the staged tile, for every row: one read of each value vec4.
      fn accumulate_value_rows(j: i32, p: array<f32, 8>) {
        let value_0 = value_tile[j];
        acc[0][0] += p[0] * value_0;
        acc[1][0] += p[1] * value_0;
        acc[2][0] += p[2] * value_0;
        acc[3][0] += p[3] * value_0;
        acc[4][0] += p[4] * value_0;
        acc[5][0] += p[5] * value_0;
        acc[6][0] += p[6] * value_0;
        acc[7][0] += p[7] * value_0;
      }

      // Online softmax over the scored tile: each row's running max rises to the tile's, rescaling its sum
      // and accumulator by exp(old − new), then every kept key adds exp(s − max) and its weighted value row.
      fn online_softmax_step(tile: Tile) {
        let any_kept = kept[0] | kept[1] | kept[2] | kept[3] | kept[4] | kept[5] | kept[6] | kept[7];
        if (any_kept == 0u) {
          return;
        }
        let correction_0 = exp(m_run[0] - tile_max[0]);
        l_run[0] *= correction_0;
        m_run[0] = tile_max[0];
        let correction_1 = exp(m_run[1] - tile_max[1]);
        l_run[1] *= correction_1;
        m_run[1] = tile_max[1];
        let correction_2 = exp(m_run[2] - tile_max[2]);
        l_run[2] *= correction_2;
        m_run[2] = tile_max[2];
        let correction_3 = exp(m_run[3] - tile_max[3]);
        l_run[3] *= correction_3;
        m_run[3] = tile_max[3];
        let correction_4 = exp(m_run[4] - tile_max[4]);
        l_run[4] *= correction_4;
        m_run[4] = tile_max[4];
        let correction_5 = exp(m_run[5] - tile_max[5]);
        l_run[5] *= correction_5;
        m_run[5] = tile_max[5];
        let correction_6 = exp(m_run[6] - tile_max[6]);
        l_run[6] *= correction_6;
        m_run[6] = tile_max[6];
        let correction_7 = exp(m_run[7] - tile_max[7]);
        l_run[7] *= correction_7;
        m_run[7] = tile_max[7];
        for (var v = 0; v < 1; v++) {
          acc[0][v] *= correction_0;
          acc[1][v] *= correction_1;
          acc[2][v] *= correction_2;
          acc[3][v] *= correction_3;
          acc[4][v] *= correction_4;
          acc[5][v] *= correction_5;
          acc[6][v] *= correction_6;
          acc[7][v] *= correction_7;
        }
        for (var j = 0; j < tile.keys; j++) {
          let bit = 1u << u32(j);
          if ((any_kept & bit) == 0u) {
            continue;
          }
          // A row that masks key j adds nothing (its score slot may be stale: select, not exp).
          let p_0 = select(0.0, exp(scores[0][j] - m_run[0]), (kept[0] & bit) != 0u);
          l_run[0] += p_0;
          let p_1 = select(0.0, exp(scores[1][j] - m_run[1]), (kept[1] & bit) != 0u);
          l_run[1] += p_1;
          let p_2 = select(0.0, exp(scores[2][j] - m_run[2]), (kept[2] & bit) != 0u);
          l_run[2] += p_2;
          let p_3 = select(0.0, exp(scores[3][j] - m_run[3]), (kept[3] & bit) != 0u);
          l_run[3] += p_3;
          let p_4 = select(0.0, exp(scores[4][j] - m_run[4]), (kept[4] & bit) != 0u);
          l_run[4] += p_4;
          let p_5 = select(0.0, exp(scores[5][j] - m_run[5]), (kept[5] & bit) != 0u);
          l_run[5] += p_5;
          let p_6 = select(0.0, exp(scores[6][j] - m_run[6]), (kept[6] & bit) != 0u);
          l_run[6] += p_6;
          let p_7 = select(0.0, exp(scores[7][j] - m_run[7]), (kept[7] & bit) != 0u);
          l_run[7] += p_7;
          accumulate_value_rows(j, array<f32, 8>(p_0, p_1, p_2, p_3, p_4, p_5, p_6, p_7));
        }
      }

      // Stores query row \`row\` (when in range): its accumulator over its sum.
      fn store_output_row(block: Block, row: i32, acc_row: array<vec4<f32>, 1>, l: f32) {
        let nq = block.nq;
        let bh = block.bh;
        if (row >= nq) {
          return;
        }
        let out_flat = (bh * nq + row) * 4;
        let scale = select(0.0, 1.0 / l, l > 0.0);
        var row_values = acc_row;
        for (var d = 0; d < 4; d++) {
          out_plain[out_flat + d] = row_values[d / 4][d % 4] * scale;
        }
      }

      // Stores the rows of the invocation.
      fn store_rows(block: Block, first_row: i32) {
        store_output_row(block, first_row, acc[0], l_run[0]);
        store_output_row(block, first_row + 4, acc[1], l_run[1]);
        store_output_row(block, first_row + 8, acc[2], l_run[2]);
        store_output_row(block, first_row + 12, acc[3], l_run[3]);
        store_output_row(block, first_row + 16, acc[4], l_run[4]);
        store_output_row(block, first_row + 20, acc[5], l_run[5]);
        store_output_row(block, first_row + 24, acc[6], l_run[6]);
        store_output_row(block, first_row + 28, acc[7], l_run[7]);
      }

      // Key tile tile_index with its K and V rows staged (unless every pair is masked).
      fn load_tile(block: Block, tile_index: i32, local_index: u32, nk: i32) -> Tile {
        let tile = begin_tile(tile_index, nk);
        stage_key_tile(block, tile.k0, local_index);
        stage_value_tile(block, tile.k0, local_index);
        workgroupBarrier();
        return tile;
      }

      // ---- entry point ----
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
        if (bh >= 2) {
          return;
        }
        let kv_row = bh * nk;
        let block_q0 = block_q * 32;
        let key_tiles = (nk + 31) / 32;
        let block = Block(nq, nk, bh, kv_row);
        let first_row = block_q0 + i32(local_index);
        start_rows(block, first_row);
        for (var tile_index = 0; tile_index < key_tiles; tile_index++) {
          let tile = load_tile(block, tile_index, local_index, nk);
          score_tile(tile);
          online_softmax_step(tile);
        }
        store_rows(block, first_row);
      }"
    `);
  });
});
