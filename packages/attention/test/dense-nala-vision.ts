import { layerNormRows, type Values } from './dense-matrix.js';

/** Sizes of {@link denseNalaVision}. */
export interface DenseNalaVisionSizes {
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly heads: number;
}

/**
 * NaLaFormer's `NormAwareLinearAttn.forward(x, sin, cos)` (ZacharyMeng/NaLaFormer,
 * `NaLaformer/NALA.py`) in float64 with plain loops over the tokens: `qkvg = Linear(C, 4C)`, LePE
 * (depthwise 5×5, zero padding 2) on v as an image, k ← k³, the sign split with q/‖q‖ raised to
 * 3(0.5 + tanh ‖q‖), `theta_shift` on each half, z = 1/(q·mean k + 1e-6) from the unrotated
 * features, kv = (k̃ᵀ/√N)(v/√N), x = q̃ kv · z, + LePE, LayerNorm (ε 1e-5) ⊙ SiLU(g), `out_proj`.
 * Parameters by the block's names under `nala.`; `values.x` `[B, C, H, W]`, `values.sin`/`cos` `[H·W, d]`.
 */
export function denseNalaVision(values: Values, sizes: DenseNalaVisionSizes): Float64Array {
  const { batch, channels: C, height: H, width: W, heads } = sizes;
  const d = C / heads;
  const N = H * W;
  const at = (name: string) => values[`nala.${name}`]!;
  const x = values.x!;
  const out = new Float64Array(batch * C * N);
  for (let b = 0; b < batch; b++) {
    // qkvg[token][output channel]
    const qkvg = Array.from({ length: N }, (_, p) =>
      Array.from({ length: 4 * C }, (_, o) => {
        let total = Number(at('qkvg.bias')[o]);
        for (let c = 0; c < C; c++)
          total += Number(at('qkvg.weight')[o * C + c]) * Number(x[(b * C + c) * N + p]);
        return total;
      }),
    );
    const mixed = Array.from({ length: N }, () => new Array<number>(C).fill(0));
    for (let n = 0; n < heads; n++) {
      const rows = (part: number) =>
        Array.from({ length: N }, (_, p) =>
          Array.from({ length: d }, (_, f) => qkvg[p]![part * C + n * d + f]!),
        );
      const [q, k, v] = [rows(0), rows(1), rows(2)];
      const phiQ = q.map((row) => {
        const norm = Math.sqrt(row.reduce((a, value) => a + value * value, 0));
        const power = 3 * (0.5 + Math.tanh(norm));
        const positive = row.map((value) => (Math.max(value, 0) / norm) ** power);
        const negative = row.map((value) => (Math.max(-value, 0) / norm) ** power);
        return [...positive, ...negative];
      });
      const phiK = k.map((row) => {
        const cube = row.map((value) => value ** 3);
        return [...cube.map((value) => Math.max(value, 0)), ...cube.map((value) => Math.max(-value, 0))];
      });
      // theta_shift on each d-wide half with the same [N, d] tables.
      const shift = (row: number[], p: number) =>
        row.map((value, f) => {
          const partner = f % 2 === 0 ? -row[f + 1]! : row[f - 1]!;
          const table = p * d + (f % d);
          return value * Number(values.cos![table]) + partner * Number(values.sin![table]);
        });
      const [qr, kr] = [phiQ.map(shift), phiK.map(shift)];
      const meanK = Array.from({ length: 2 * d }, (_, f) => phiK.reduce((a, row) => a + row[f]!, 0) / N);
      const z = phiQ.map((row) => 1 / (row.reduce((a, value, f) => a + value * meanK[f]!, 0) + 1e-6));
      const kv = Array.from({ length: 2 * d }, (_, f) =>
        Array.from({ length: d }, (_, e) =>
          kr.reduce((a, row, j) => a + row[f]! * N ** -0.5 * (v[j]![e]! * N ** -0.5), 0),
        ),
      );
      for (let p = 0; p < N; p++)
        for (let e = 0; e < d; e++)
          mixed[p]![n * d + e] = qr[p]!.reduce((a, value, f) => a + value * kv[f]![e]!, 0) * z[p]!;
    }
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) {
          let lepe = Number(at('lepe.bias')[c]);
          for (let dy = 0; dy < 5; dy++)
            for (let dx = 0; dx < 5; dx++) {
              const [y, xx] = [h + dy - 2, w + dx - 2];
              if (y >= 0 && y < H && xx >= 0 && xx < W)
                lepe += Number(at('lepe.weight')[(c * 5 + dy) * 5 + dx]) * qkvg[y * W + xx]![2 * C + c]!;
            }
          const token = mixed[h * W + w]!;
          token[c] = token[c]! + lepe;
        }
    const normed = layerNormRows(mixed, at('ln.gamma'), at('ln.beta'));
    for (let p = 0; p < N; p++) {
      const gated = normed[p]!.map((value, c) => {
        const g = qkvg[p]![3 * C + c]!;
        return value * (g / (1 + Math.exp(-g)));
      });
      for (let o = 0; o < C; o++) {
        let total = Number(at('out_proj.bias')[o]);
        for (let c = 0; c < C; c++) total += Number(at('out_proj.weight')[o * C + c]) * gated[c]!;
        out[(b * C + o) * N + p] = total;
      }
    }
  }
  return out;
}
