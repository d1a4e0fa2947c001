// Inline WGSL snapshots of the attention kernel that also writes the row log-sum-exp and row max
// (one pass: the planner gives the three results one kernel), tiled on both device profiles and
// split-keys for decoding. Refresh with
// `pnpm vitest run --project unit packages/attention/src/kernel/snapshots -u`.
import { describe, expect, test } from 'vitest';
import { causal, softmax } from '../../index.js';
import { attentionWgsl, DIM, HARDWARE, HEADS, SOFTWARE } from './snapshot-support.js';

const rowOutputs = { logSumExp: true, rowMax: true } as const;
const causalLse = { heads: HEADS, headDim: DIM, mask: causal(), outputs: rowOutputs, name: 'attn' };
const sinkLse = { ...causalLse, normalizer: softmax({ sink: 0.5 }), name: 'sink' };

describe('attention kernel with its row statistics', () => {
  test('softmax, causal, log-sum-exp and row max, hardware', () => {
    expect(attentionWgsl(causalLse, HARDWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: attn - attention (causal(bottom-right), softmax)
      // fuses 3 node(s):
      //   attention "attn" -> [1, 2, 8, 4] f32
      //   attention "attn.logSumExp" -> [1, 2, 8] f32
      //   attention "attn.rowMax" -> [1, 2, 8] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 8, 4] f32
      //   in_k (read): input "k" [1, 2, 8, 4] f32
      //   in_v (read): input "v" [1, 2, 8, 4] f32
      //   out_attn (read_write): attention "attn" [1, 2, 8, 4] f32
      //   out_attn_logSumExp (read_write): attention "attn.logSumExp" [1, 2, 8] f32
      //   out_attn_rowMax (read_write): attention "attn.rowMax" [1, 2, 8] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attn: array<f32>;
      @group(0) @binding(4) var<storage, read_write> out_attn_logSumExp: array<f32>;
      @group(0) @binding(5) var<storage, read_write> out_attn_rowMax: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;
      var<workgroup> tile_class: array<u32, 1>;

      // ---- helpers ----
      fn weft_inf() -> f32 {
        var bits = 0x7f800000u;
        return bitcast<f32>(bits);
      }

      // The most negative finite f32: a running max before any key (no reliance on infinities).
      const lowest_f32 = -3.4028234e38;

      // What one workgroup works on: lengths, batch·head, query block and K/V rows.
      struct Block {
        nq: i32,
        nk: i32,
        bh: i32,
        kv_row: i32,
        block_q0: i32,
        block_q1: i32,
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
      fn begin_tile(block: Block, tile_index: i32, local_index: u32, nk: i32) -> Tile {
        let nq = block.nq;
        let block_q0 = block.block_q0;
        let block_q1 = block.block_q1;
        let tile_k0 = tile_index * 32;
        let tile_k1 = min(tile_k0 + 32, nk) - 1;
        workgroupBarrier();
        if (local_index == 0u) {
          let block_0: i32 = nk - nq;
          let full = tile_k1 <= (block_q0 + block_0);
          let empty = tile_k0 > (block_q1 + block_0);
          tile_class[0] = select(select(1u, 2u, full), 0u, empty);
        }
        return Tile(tile_k0, tile_k1, tile_k1 - tile_k0 + 1, workgroupUniformLoad(&tile_class[0]));
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
      fn score_key(block: Block, q_i: i32, query: array<vec4<f32>, 1>, key_i: i32, key: array<vec4<f32>, 1>,
          tile_kind: u32) -> Score {
        let nq = block.nq;
        let nk = block.nk;
        if (tile_kind == 1u) {
          if (!(key_i <= (q_i + (nk - nq)))) {
            return Score(0.0, false);
          }
        }
        let raw = dot(query[0], key[0]);
        return Score(raw * 0.5, true);
      }

      // Scores query q_i against every key of the staged tile: \`scores[j]\`, and the bitmask of kept keys.
      fn score_tile(block: Block, q_i: i32, query: array<vec4<f32>, 1>, tile: Tile, scores: ptr<function, array<f32,
          32>>) -> u32 {
        if (tile.kind == 0u) {
          return 0u;
        }
        var kept = 0u;
        for (var j = 0; j < tile.keys; j++) {
          let score = score_key(block, q_i, query, tile.k0 + j, staged_key(j), tile.kind);
          if (score.kept) {
            (*scores)[j] = score.value;
            kept |= 1u << u32(j);
          }
        }
        return kept;
      }

      // Key tile tile_index with its K and V rows staged (unless every pair is masked).
      fn load_tile(block: Block, tile_index: i32, local_index: u32, nk: i32) -> Tile {
        let tile = begin_tile(block, tile_index, local_index, nk);
        if (tile.kind != 0u) {
          stage_key_tile(block, tile.k0, local_index);
          stage_value_tile(block, tile.k0, local_index);
          workgroupBarrier();
        }
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
          out_attn[out_flat + d] = (*acc)[d] * scale;
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
        let block_q1 = min(block_q0 + 32, nq) - 1;
        let key_tiles = (nk + 31) / 32;
        let block = Block(nq, nk, bh, kv_row, block_q0, block_q1);
        let row = block_q0 + i32(local_index);
        // Rows past the end compute on the last row (loads in bounds, barriers uniform) and store nothing.
        let q_i = min(row, nq - 1);
        let query = load_query_row(block, q_i);
        var acc: array<f32, 4>;
        var scores: array<f32, 32>;
        var m_run = lowest_f32;
        var l_run = 0.0;
        var score_max = lowest_f32;
        var any_kept = false;
        for (var tile_index = 0; tile_index < key_tiles; tile_index++) {
          let tile = load_tile(block, tile_index, local_index, nk);
          let kept = score_tile(block, q_i, query, tile, &scores);
          for (var j = 0; j < tile.keys; j++) {
            if (((kept >> u32(j)) & 1u) != 0u) {
              score_max = max(score_max, scores[j]);
              any_kept = true;
            }
          }
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
        if (row < nq) {
          out_attn_rowMax[bh * nq + row] = select(-weft_inf(), score_max, any_kept);
          out_attn_logSumExp[bh * nq + row] = select(-weft_inf(), m_run + log(l_run), l_run > 0.0);
        }
      }"
    `);
  });
  test('softmax, causal, log-sum-exp and row max, software (rows blocked per invocation)', () => {
    expect(attentionWgsl(causalLse, SOFTWARE)).toMatchInlineSnapshot(`
      "// Weft kernel 0: attn - attention (causal(bottom-right), softmax)
      // fuses 3 node(s):
      //   attention "attn" -> [1, 2, 8, 4] f32
      //   attention "attn.logSumExp" -> [1, 2, 8] f32
      //   attention "attn.rowMax" -> [1, 2, 8] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 8, 4] f32
      //   in_k (read): input "k" [1, 2, 8, 4] f32
      //   in_v (read): input "v" [1, 2, 8, 4] f32
      //   out_attn (read_write): attention "attn" [1, 2, 8, 4] f32
      //   out_attn_logSumExp (read_write): attention "attn.logSumExp" [1, 2, 8] f32
      //   out_attn_rowMax (read_write): attention "attn.rowMax" [1, 2, 8] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_attn: array<f32>;
      @group(0) @binding(4) var<storage, read_write> out_attn_logSumExp: array<f32>;
      @group(0) @binding(5) var<storage, read_write> out_attn_rowMax: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> key_tile: array<vec4<f32>, 32>;
      var<workgroup> value_tile: array<vec4<f32>, 32>;
      var<workgroup> tile_class: array<u32, 1>;

      // ---- helpers ----
      fn weft_inf() -> f32 {
        var bits = 0x7f800000u;
        return bitcast<f32>(bits);
      }

      // The most negative finite f32: a running max before any key (no reliance on infinities).
      const lowest_f32 = -3.4028234e38;

      // Per-invocation state of its 8 query rows (row r: first_row + 4·r): query index
      // and vec4s, running max and sum, output accumulator (vec4s).
      var<private> query_index: array<i32, 8>;
      var<private> query_vectors: array<array<vec4<f32>, 1>, 8>;
      var<private> m_run: array<f32, 8>;
      var<private> l_run: array<f32, 8>;
      var<private> acc: array<array<vec4<f32>, 1>, 8>;

      // What one workgroup works on: lengths, batch·head, query block and K/V rows.
      struct Block {
        nq: i32,
        nk: i32,
        bh: i32,
        kv_row: i32,
        block_q0: i32,
        block_q1: i32,
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
      fn begin_tile(block: Block, tile_index: i32, local_index: u32, nk: i32) -> Tile {
        let nq = block.nq;
        let block_q0 = block.block_q0;
        let block_q1 = block.block_q1;
        let tile_k0 = tile_index * 32;
        let tile_k1 = min(tile_k0 + 32, nk) - 1;
        workgroupBarrier();
        if (local_index == 0u) {
          let block_0: i32 = nk - nq;
          let full = tile_k1 <= (block_q0 + block_0);
          let empty = tile_k0 > (block_q1 + block_0);
          tile_class[0] = select(select(1u, 2u, full), 0u, empty);
        }
        return Tile(tile_k0, tile_k1, tile_k1 - tile_k0 + 1, workgroupUniformLoad(&tile_class[0]));
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
      fn score_key(block: Block, q_i: i32, query: array<vec4<f32>, 1>, key_i: i32, key: array<vec4<f32>, 1>,
          tile_kind: u32) -> Score {
        let nq = block.nq;
        let nk = block.nk;
        let kept = (tile_kind != 1u) | (key_i <= (q_i + (nk - nq)));
        let raw = dot(query[0], key[0]);
        return Score(raw * 0.5, kept);
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

      // Folds keys j0 … j0 + 1 of the scored tile into every row: scores in registers, each row's running
      // max rises to theirs (rescaling its sum and accumulator by exp(old − new)), then each kept key
      // adds exp(s − max) and its weighted value row. Keys past the tile are not kept.
      fn fold_keys(block: Block, tile: Tile, j0: i32) {
        let key_i_0 = tile.k0 + j0;
        let key_0 = staged_key(j0);
        let score_0_0 = score_key(block, query_index[0], query_vectors[0], key_i_0, key_0, tile.kind);
        let kept_0_0 = score_0_0.kept;
        let score_1_0 = score_key(block, query_index[1], query_vectors[1], key_i_0, key_0, tile.kind);
        let kept_1_0 = score_1_0.kept;
        let score_2_0 = score_key(block, query_index[2], query_vectors[2], key_i_0, key_0, tile.kind);
        let kept_2_0 = score_2_0.kept;
        let score_3_0 = score_key(block, query_index[3], query_vectors[3], key_i_0, key_0, tile.kind);
        let kept_3_0 = score_3_0.kept;
        let score_4_0 = score_key(block, query_index[4], query_vectors[4], key_i_0, key_0, tile.kind);
        let kept_4_0 = score_4_0.kept;
        let score_5_0 = score_key(block, query_index[5], query_vectors[5], key_i_0, key_0, tile.kind);
        let kept_5_0 = score_5_0.kept;
        let score_6_0 = score_key(block, query_index[6], query_vectors[6], key_i_0, key_0, tile.kind);
        let kept_6_0 = score_6_0.kept;
        let score_7_0 = score_key(block, query_index[7], query_vectors[7], key_i_0, key_0, tile.kind);
        let kept_7_0 = score_7_0.kept;
        let key_i_1 = tile.k0 + j0 + 1;
        let key_1 = staged_key(j0 + 1);
        let score_0_1 = score_key(block, query_index[0], query_vectors[0], key_i_1, key_1, tile.kind);
        let kept_0_1 = score_0_1.kept & (j0 + 1 < tile.keys);
        let score_1_1 = score_key(block, query_index[1], query_vectors[1], key_i_1, key_1, tile.kind);
        let kept_1_1 = score_1_1.kept & (j0 + 1 < tile.keys);
        let score_2_1 = score_key(block, query_index[2], query_vectors[2], key_i_1, key_1, tile.kind);
        let kept_2_1 = score_2_1.kept & (j0 + 1 < tile.keys);
        let score_3_1 = score_key(block, query_index[3], query_vectors[3], key_i_1, key_1, tile.kind);
        let kept_3_1 = score_3_1.kept & (j0 + 1 < tile.keys);
        let score_4_1 = score_key(block, query_index[4], query_vectors[4], key_i_1, key_1, tile.kind);
        let kept_4_1 = score_4_1.kept & (j0 + 1 < tile.keys);
        let score_5_1 = score_key(block, query_index[5], query_vectors[5], key_i_1, key_1, tile.kind);
        let kept_5_1 = score_5_1.kept & (j0 + 1 < tile.keys);
        let score_6_1 = score_key(block, query_index[6], query_vectors[6], key_i_1, key_1, tile.kind);
        let kept_6_1 = score_6_1.kept & (j0 + 1 < tile.keys);
        let score_7_1 = score_key(block, query_index[7], query_vectors[7], key_i_1, key_1, tile.kind);
        let kept_7_1 = score_7_1.kept & (j0 + 1 < tile.keys);
        let next_0 = max(max(m_run[0], select(lowest_f32, score_0_0.value, kept_0_0)),
            select(lowest_f32, score_0_1.value, kept_0_1));
        let correction_0 = exp(m_run[0] - next_0);
        l_run[0] *= correction_0;
        m_run[0] = next_0;
        acc[0][0] *= correction_0;
        let next_1 = max(max(m_run[1], select(lowest_f32, score_1_0.value, kept_1_0)),
            select(lowest_f32, score_1_1.value, kept_1_1));
        let correction_1 = exp(m_run[1] - next_1);
        l_run[1] *= correction_1;
        m_run[1] = next_1;
        acc[1][0] *= correction_1;
        let next_2 = max(max(m_run[2], select(lowest_f32, score_2_0.value, kept_2_0)),
            select(lowest_f32, score_2_1.value, kept_2_1));
        let correction_2 = exp(m_run[2] - next_2);
        l_run[2] *= correction_2;
        m_run[2] = next_2;
        acc[2][0] *= correction_2;
        let next_3 = max(max(m_run[3], select(lowest_f32, score_3_0.value, kept_3_0)),
            select(lowest_f32, score_3_1.value, kept_3_1));
        let correction_3 = exp(m_run[3] - next_3);
        l_run[3] *= correction_3;
        m_run[3] = next_3;
        acc[3][0] *= correction_3;
        let next_4 = max(max(m_run[4], select(lowest_f32, score_4_0.value, kept_4_0)),
            select(lowest_f32, score_4_1.value, kept_4_1));
        let correction_4 = exp(m_run[4] - next_4);
        l_run[4] *= correction_4;
        m_run[4] = next_4;
        acc[4][0] *= correction_4;
        let next_5 = max(max(m_run[5], select(lowest_f32, score_5_0.value, kept_5_0)),
            select(lowest_f32, score_5_1.value, kept_5_1));
        let correction_5 = exp(m_run[5] - next_5);
        l_run[5] *= correction_5;
        m_run[5] = next_5;
        acc[5][0] *= correction_5;
        let next_6 = max(max(m_run[6], select(lowest_f32, score_6_0.value, kept_6_0)),
            select(lowest_f32, score_6_1.value, kept_6_1));
        let correction_6 = exp(m_run[6] - next_6);
        l_run[6] *= correction_6;
        m_run[6] = next_6;
        acc[6][0] *= correction_6;
        let next_7 = max(max(m_run[7], select(lowest_f32, score_7_0.value, kept_7_0)),
            select(lowest_f32, score_7_1.value, kept_7_1));
        let correction_7 = exp(m_run[7] - next_7);
        l_run[7] *= correction_7;
        m_run[7] = next_7;
        acc[7][0] *= correction_7;
        let p_0_0 = select(0.0, exp(score_0_0.value - m_run[0]), kept_0_0);
        l_run[0] += p_0_0;
        let p_1_0 = select(0.0, exp(score_1_0.value - m_run[1]), kept_1_0);
        l_run[1] += p_1_0;
        let p_2_0 = select(0.0, exp(score_2_0.value - m_run[2]), kept_2_0);
        l_run[2] += p_2_0;
        let p_3_0 = select(0.0, exp(score_3_0.value - m_run[3]), kept_3_0);
        l_run[3] += p_3_0;
        let p_4_0 = select(0.0, exp(score_4_0.value - m_run[4]), kept_4_0);
        l_run[4] += p_4_0;
        let p_5_0 = select(0.0, exp(score_5_0.value - m_run[5]), kept_5_0);
        l_run[5] += p_5_0;
        let p_6_0 = select(0.0, exp(score_6_0.value - m_run[6]), kept_6_0);
        l_run[6] += p_6_0;
        let p_7_0 = select(0.0, exp(score_7_0.value - m_run[7]), kept_7_0);
        l_run[7] += p_7_0;
        accumulate_value_rows(j0, array<f32, 8>(p_0_0, p_1_0, p_2_0, p_3_0, p_4_0, p_5_0, p_6_0, p_7_0));
        let p_0_1 = select(0.0, exp(score_0_1.value - m_run[0]), kept_0_1);
        l_run[0] += p_0_1;
        let p_1_1 = select(0.0, exp(score_1_1.value - m_run[1]), kept_1_1);
        l_run[1] += p_1_1;
        let p_2_1 = select(0.0, exp(score_2_1.value - m_run[2]), kept_2_1);
        l_run[2] += p_2_1;
        let p_3_1 = select(0.0, exp(score_3_1.value - m_run[3]), kept_3_1);
        l_run[3] += p_3_1;
        let p_4_1 = select(0.0, exp(score_4_1.value - m_run[4]), kept_4_1);
        l_run[4] += p_4_1;
        let p_5_1 = select(0.0, exp(score_5_1.value - m_run[5]), kept_5_1);
        l_run[5] += p_5_1;
        let p_6_1 = select(0.0, exp(score_6_1.value - m_run[6]), kept_6_1);
        l_run[6] += p_6_1;
        let p_7_1 = select(0.0, exp(score_7_1.value - m_run[7]), kept_7_1);
        l_run[7] += p_7_1;
        accumulate_value_rows(j0 + 1, array<f32, 8>(p_0_1, p_1_1, p_2_1, p_3_1, p_4_1, p_5_1, p_6_1, p_7_1));
      }

      // Folds the staged tile into every row, 2 keys at a time.
      fn fold_tile(block: Block, tile: Tile) {
        for (var j0 = 0; j0 < tile.keys; j0 += 2) {
          fold_keys(block, tile, j0);
        }
      }

      // Stores query row \`row\` (when in range): its accumulator over its sum, and its row statistics.
      fn store_output_row(block: Block, row: i32, acc_row: array<vec4<f32>, 1>, m: f32, l: f32) {
        let nq = block.nq;
        let bh = block.bh;
        if (row >= nq) {
          return;
        }
        let out_flat = (bh * nq + row) * 4;
        let scale = select(0.0, 1.0 / l, l > 0.0);
        var row_values = acc_row;
        for (var d = 0; d < 4; d++) {
          out_attn[out_flat + d] = row_values[d / 4][d % 4] * scale;
        }
        out_attn_logSumExp[bh * nq + row] = select(-weft_inf(), m + log(l), l > 0.0);
        out_attn_rowMax[bh * nq + row] = select(-weft_inf(), m, l > 0.0);
      }

      // Stores the rows of the invocation.
      fn store_rows(block: Block, first_row: i32) {
        store_output_row(block, first_row, acc[0], m_run[0], l_run[0]);
        store_output_row(block, first_row + 4, acc[1], m_run[1], l_run[1]);
        store_output_row(block, first_row + 8, acc[2], m_run[2], l_run[2]);
        store_output_row(block, first_row + 12, acc[3], m_run[3], l_run[3]);
        store_output_row(block, first_row + 16, acc[4], m_run[4], l_run[4]);
        store_output_row(block, first_row + 20, acc[5], m_run[5], l_run[5]);
        store_output_row(block, first_row + 24, acc[6], m_run[6], l_run[6]);
        store_output_row(block, first_row + 28, acc[7], m_run[7], l_run[7]);
      }

      // Key tile tile_index with its K and V rows staged (unless every pair is masked).
      fn load_tile(block: Block, tile_index: i32, local_index: u32, nk: i32) -> Tile {
        let tile = begin_tile(block, tile_index, local_index, nk);
        if (tile.kind != 0u) {
          stage_key_tile(block, tile.k0, local_index);
          stage_value_tile(block, tile.k0, local_index);
          workgroupBarrier();
        }
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
        let block_q1 = min(block_q0 + 32, nq) - 1;
        let key_tiles = (nk + 31) / 32;
        let block = Block(nq, nk, bh, kv_row, block_q0, block_q1);
        let first_row = block_q0 + i32(local_index);
        start_rows(block, first_row);
        for (var tile_index = 0; tile_index < key_tiles; tile_index++) {
          let tile = load_tile(block, tile_index, local_index, nk);
          if (tile.kind == 0u) {
            continue;
          }
          fold_tile(block, tile);
        }
        store_rows(block, first_row);
      }"
    `);
  });
  test('softmax with a sink, log-sum-exp and row max, split keys (decoding)', () => {
    expect(attentionWgsl(sinkLse, HARDWARE, { queries: 1, keys: 64 })).toMatchInlineSnapshot(`
      "// Weft kernel 0: sink - attention (causal(bottom-right), softmax)
      // fuses 3 node(s):
      //   attention "sink" -> [1, 2, 1, 4] f32
      //   attention "sink.logSumExp" -> [1, 2, 1] f32
      //   attention "sink.rowMax" -> [1, 2, 1] f32
      // tensors:
      //   in_q (read): input "q" [1, 2, 1, 4] f32
      //   in_k (read): input "k" [1, 2, 64, 4] f32
      //   in_v (read): input "v" [1, 2, 64, 4] f32
      //   out_sink (read_write): attention "sink" [1, 2, 1, 4] f32
      //   out_sink_logSumExp (read_write): attention "sink.logSumExp" [1, 2, 1] f32
      //   out_sink_rowMax (read_write): attention "sink.rowMax" [1, 2, 1] f32

      // ---- bindings ----
      @group(0) @binding(0) var<storage, read> in_q: array<f32>;
      @group(0) @binding(1) var<storage, read> in_k: array<f32>;
      @group(0) @binding(2) var<storage, read> in_v: array<f32>;
      @group(0) @binding(3) var<storage, read_write> out_sink: array<f32>;
      @group(0) @binding(4) var<storage, read_write> out_sink_logSumExp: array<f32>;
      @group(0) @binding(5) var<storage, read_write> out_sink_rowMax: array<f32>;

      // ---- workgroup memory ----
      var<workgroup> part_m: array<f32, 4>;
      var<workgroup> part_l: array<f32, 4>;
      var<workgroup> part_max: array<f32, 4>;
      var<workgroup> part_acc: array<f32, 16>;

      // ---- helpers ----
      fn weft_inf() -> f32 {
        var bits = 0x7f800000u;
        return bitcast<f32>(bits);
      }

      // The most negative finite f32: a running max before any key (no reliance on infinities).
      const lowest_f32 = -3.4028234e38;

      // What one workgroup works on: lengths, batch·head, query block and K/V rows.
      struct Block {
        nq: i32,
        nk: i32,
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
      fn score_key(block: Block, query_row: array<f32, 4>, key_i: i32, chunk_kind: u32) -> Score {
        let nq = block.nq;
        let nk = block.nk;
        let kv_row = block.kv_row;
        let q_i = block.q_i;
        if (chunk_kind == 1u) {
          if (!(key_i <= (q_i + (nk - nq)))) {
            return Score(0.0, false);
          }
        }
        var raw = 0.0;
        for (var d = 0; d < 4; d++) {
          let key_element = in_k[(kv_row + key_i) * 4 + d];
          raw += query_row[d] * key_element;
        }
        return Score(raw * 0.5, true);
      }

      // The kind of the key chunk [chunk_k0, chunk_k1] under the mask block rule (0: every pair masked).
      fn classify_chunk(block: Block, chunk_k0: i32, chunk_k1: i32) -> u32 {
        let nq = block.nq;
        let nk = block.nk;
        let q_i = block.q_i;
        if (chunk_k0 > chunk_k1) {
          return 0u;
        }
        let block_q0 = q_i;
        let block_q1 = q_i;
        let tile_k0 = chunk_k0;
        let tile_k1 = chunk_k1;
        let block_0: i32 = nk - nq;
        let full = tile_k1 <= (block_q0 + block_0);
        let empty = tile_k0 > (block_q1 + block_0);
        return select(select(1u, 2u, full), 0u, empty);
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
        let block = Block(nq, nk, bh, kv_row, q_i);
        let chunk = (nk + 3) / 4;
        let chunk_k0 = i32(local_index) * chunk;
        let chunk_k1 = min(chunk_k0 + chunk, nk) - 1;
        let query_row = load_query_row(block);
        var acc: array<f32, 4>;
        var m_run = lowest_f32;
        var l_run = 0.0;
        var score_max = lowest_f32;
        let sink = 0.5;
        let chunk_kind = classify_chunk(block, chunk_k0, chunk_k1);
        if (chunk_kind != 0u) {
          for (var key_i = chunk_k0; key_i <= chunk_k1; key_i++) {
            let score = score_key(block, query_row, key_i, chunk_kind);
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
        let keys_kept = merged_max > -3.0e38;
        merged_max = max(merged_max, sink);
        var merged_l = exp(sink - merged_max);
        for (var c = 0; c < 4; c++) {
          merged_l += part_l[c] * exp(part_m[c] - merged_max);
        }
        for (var d = i32(local_index); d < 4; d += 4) {
          var total = 0.0;
          for (var c = 0; c < 4; c++) {
            total += part_acc[c * 4 + d] * exp(part_m[c] - merged_max);
          }
          out_sink[(bh * nq + q_i) * 4 + d] = total * select(0.0, 1.0 / merged_l, merged_l > 0.0);
        }
        if (local_index == 0u) {
          var row_max = lowest_f32;
          for (var c = 0; c < 4; c++) {
            row_max = max(row_max, part_max[c]);
          }
          out_sink_rowMax[bh * nq + q_i] = select(-weft_inf(), row_max, row_max > -3.0e38);
          out_sink_logSumExp[bh * nq + q_i] = select(-weft_inf(), merged_max + log(merged_l), keys_kept);
        }
      }"
    `);
  });
});
