import type { Values } from './dense-matrix.js';

/** Sizes of {@link denseMalaVision}. */
export interface DenseMalaVisionSizes {
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly heads: number;
}

/**
 * MALA's `AddLinearAttention.forward(x, sin, cos)` (qhfan/MALA, `classfication_release/model.py`) in
 * float64 with plain loops over the image: 1×1 conv to [q, k, v, o], ELU + 1, z from the unrotated
 * features, `theta_shift` with the given tables, kv scaled by s/(H·W), the additive readout with
 * ε = 1e-6, LePE (depthwise 5×5, zero padding 2), the gate o and the 1×1 projection. Parameters by
 * the block's names under `mala.`; `values.x` `[B, C, H, W]`, `values.sin`/`cos` `[H·W, d]`.
 */
export function denseMalaVision(values: Values, sizes: DenseMalaVisionSizes): Float64Array {
  const { batch, channels: C, height: H, width: W, heads } = sizes;
  const d = C / heads;
  const N = H * W;
  const s = d ** -0.5;
  const at = (name: string) => values[`mala.${name}`]!;
  const x = values.x!;
  const out = new Float64Array(batch * C * N);
  for (let b = 0; b < batch; b++) {
    // qkvo[channel][position]
    const qkvo = Array.from({ length: 4 * C }, (_, o) =>
      Array.from({ length: N }, (_, p) => {
        let total = Number(at('qkvo.bias')[o]);
        for (let c = 0; c < C; c++)
          total += Number(at('qkvo.weight')[o * C + c]) * Number(x[(b * C + c) * N + p]);
        return total;
      }),
    );
    const phi = (t: number) => (t > 0 ? t + 1 : Math.exp(t));
    const mixed = Array.from({ length: C }, () => new Array<number>(N).fill(0));
    for (let n = 0; n < heads; n++) {
      const rows = (part: number, map: (t: number) => number) =>
        Array.from({ length: N }, (_, p) =>
          Array.from({ length: d }, (_, f) => map(qkvo[part * C + n * d + f]![p]!)),
        );
      const [q, k, v] = [rows(0, phi), rows(1, phi), rows(2, (t) => t)];
      const meanK = Array.from({ length: d }, (_, f) => k.reduce((a, row) => a + row[f]!, 0) / N);
      const meanV = Array.from({ length: d }, (_, f) => v.reduce((a, row) => a + row[f]!, 0) / N);
      const z = q.map((row) => s * row.reduce((a, value, f) => a + value * meanK[f]!, 0));
      const shift = (row: number[], p: number) =>
        row.map((value, f) => {
          const partner = f % 2 === 0 ? -row[f + 1]! : row[f - 1]!;
          return value * Number(values.cos![p * d + f]) + partner * Number(values.sin![p * d + f]);
        });
      const [qr, kr] = [q.map(shift), k.map(shift)];
      const kv = Array.from({ length: d }, (_, f) =>
        Array.from({ length: d }, (_, e) => kr.reduce((a, row, j) => a + row[f]! * v[j]![e]!, 0) * (s / N)),
      );
      for (let p = 0; p < N; p++)
        for (let e = 0; e < d; e++) {
          const numerator = qr[p]!.reduce((a, value, f) => a + value * kv[f]![e]!, 0);
          mixed[n * d + e]![p] = numerator * (1 + 1 / (z[p]! + 1e-6)) - z[p]! * meanV[e]!;
        }
    }
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) {
          let lepe = Number(at('lepe.bias')[c]);
          for (let dy = 0; dy < 5; dy++)
            for (let dx = 0; dx < 5; dx++) {
              const [y, xx] = [h + dy - 2, w + dx - 2];
              if (y >= 0 && y < H && xx >= 0 && xx < W)
                lepe += Number(at('lepe.weight')[(c * 5 + dy) * 5 + dx]) * qkvo[2 * C + c]![y * W + xx]!;
            }
          mixed[c]![h * W + w] = (mixed[c]![h * W + w]! + lepe) * qkvo[3 * C + c]![h * W + w]!;
        }
    for (let o = 0; o < C; o++)
      for (let p = 0; p < N; p++) {
        let total = Number(at('proj.bias')[o]);
        for (let c = 0; c < C; c++) total += Number(at('proj.weight')[o * C + c]) * mixed[c]![p]!;
        out[(b * C + o) * N + p] = total;
      }
  }
  return out;
}

/** The reference `RoPE(embed_dim, num_heads)` tables for an H × W image, in float64: [sin, cos], each `[H·W, d]`. */
export function denseMalaRope(height: number, width: number, d: number): [Float64Array, Float64Array] {
  const quarter = d / 4;
  // torch.linspace(0, 1, d/4), repeated twice per pair
  const angle = Array.from({ length: d / 2 }, (_, f) => 1 / 10000 ** (Math.floor(f / 2) / (quarter - 1)));
  const sin = new Float64Array(height * width * d);
  const cos = new Float64Array(height * width * d);
  for (let h = 0; h < height; h++)
    for (let w = 0; w < width; w++)
      for (let f = 0; f < d; f++) {
        // cat([sin_h, sin_w], -1): the first d/2 by the row index, the rest by the column index
        const value = f < d / 2 ? h * angle[f]! : w * angle[f - d / 2]!;
        sin[(h * width + w) * d + f] = Math.sin(value);
        cos[(h * width + w) * d + f] = Math.cos(value);
      }
  return [sin, cos];
}
