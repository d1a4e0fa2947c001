import type { Node } from '@weft/ir';
import { encodeOnnxModel } from '@weft/ir/test';
import { type BenchCase, once } from '../bench-case.js';
import { ortSystem } from '../peers/onnxruntime-web.js';
import { tfjsSystem } from '../peers/tfjs.js';
import { randomValues } from '../random-values.js';
import {
  BLOCK_EPSILON,
  type TransformerBlockShape,
  type TransformerBlockWeights,
  transformerBlockReference,
} from '../reference/transformer-block-reference.js';
import { weftSystem } from '../weft/weft-system.js';

/**
 * One pre-norm transformer block (causal MHA, 4C GELU MLP) on `x [1, N, C]` with the same seeded
 * weights in every system: Weft built from `@weft/norms`, `@weft/attention` and IR primitives,
 * tfjs from its ops, and onnxruntime-web running an ONNX graph with its fused contrib ops
 * (`MultiHeadAttention` with the QKV bias, `SkipLayerNormalization` for residual + bias + LN₂,
 * `BiasGelu`).
 */
export function transformerBlockCase(shape: TransformerBlockShape): BenchCase {
  const { tokens, width, heads } = shape;
  const headDim = width / heads;
  const hidden = 4 * width;
  return {
    name: `transformer-block-n${tokens}`,
    group: 'transformer-block',
    description: `pre-norm block N=${tokens} C=${width} H=${heads}, causal MHA, GELU MLP ${width}→${hidden}→${width}`,
    setup({ weft }) {
      const x = randomValues(tokens * width, 51, -2, 2);
      const weights = blockWeights(width);
      const dims = [1, tokens, width];
      const mask = new Float32Array(heads * tokens * tokens);
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < tokens; i++)
          for (let j = i + 1; j < tokens; j++) mask[(h * tokens + i) * tokens + j] = -10_000;
      }
      const model = encodeOnnxModel({
        opset: 17,
        inputs: [{ name: 'x', shape: dims }],
        outputs: [{ name: 'y', shape: dims }],
        initializers: [
          { name: 'ln1.gamma', shape: [width], values: weights.ln1Gamma },
          { name: 'ln1.beta', shape: [width], values: weights.ln1Beta },
          { name: 'wq', shape: [width, width], values: weights.wq },
          { name: 'wk', shape: [width, width], values: weights.wk },
          { name: 'wv', shape: [width, width], values: weights.wv },
          { name: 'bqkv', shape: [3 * width], values: weights.bqkv },
          { name: 'mask', shape: [1, heads, tokens, tokens], values: mask },
          { name: 'wo', shape: [width, width], values: weights.wo },
          { name: 'bo', shape: [width], values: weights.bo },
          { name: 'ln2.gamma', shape: [width], values: weights.ln2Gamma },
          { name: 'ln2.beta', shape: [width], values: weights.ln2Beta },
          { name: 'w1', shape: [width, hidden], values: weights.w1 },
          { name: 'b1', shape: [hidden], values: weights.b1 },
          { name: 'w2', shape: [hidden, width], values: weights.w2 },
          { name: 'b2', shape: [width], values: weights.b2 },
        ],
        nodes: [
          {
            opType: 'LayerNormalization',
            inputs: ['x', 'ln1.gamma', 'ln1.beta'],
            outputs: ['h1'],
            attributes: { axis: { int: 2 }, epsilon: { float: BLOCK_EPSILON } },
          },
          { opType: 'MatMul', inputs: ['h1', 'wq'], outputs: ['q'] },
          { opType: 'MatMul', inputs: ['h1', 'wk'], outputs: ['k'] },
          { opType: 'MatMul', inputs: ['h1', 'wv'], outputs: ['v'] },
          {
            opType: 'MultiHeadAttention',
            domain: 'com.microsoft',
            // query, key, value, bias (q|k|v biases), key_padding_mask (absent), attention_bias (causal).
            inputs: ['q', 'k', 'v', 'bqkv', '', 'mask'],
            outputs: ['attended'],
            attributes: { num_heads: { int: heads } },
          },
          { opType: 'MatMul', inputs: ['attended', 'wo'], outputs: ['projected'] },
          {
            opType: 'SkipLayerNormalization',
            domain: 'com.microsoft',
            // input, skip, gamma, beta, bias → normalized, (mean), (inverse std), input + skip + bias.
            inputs: ['projected', 'x', 'ln2.gamma', 'ln2.beta', 'bo'],
            outputs: ['h2', '', '', 'x2'],
            attributes: { epsilon: { float: BLOCK_EPSILON } },
          },
          { opType: 'MatMul', inputs: ['h2', 'w1'], outputs: ['up'] },
          { opType: 'BiasGelu', domain: 'com.microsoft', inputs: ['up', 'b1'], outputs: ['activated'] },
          { opType: 'MatMul', inputs: ['activated', 'w2'], outputs: ['down'] },
          { opType: 'Add', inputs: ['down', 'b2'], outputs: ['mlp'] },
          { opType: 'Add', inputs: ['x2', 'mlp'], outputs: ['y'] },
        ],
        domainOpsets: { 'com.microsoft': 1 },
      });
      const buildWeft = async () => {
        const ir = await import('@weft/ir');
        const { layerNorm } = await import('@weft/norms');
        const { applyAttention, attention, causal } = await import('@weft/attention');
        const { add, gelu, input, matmul, param, permute, reshape, slice } = ir;
        const linear = (value: Node, name: string, inputs: number, outputs: number, bias: Node) =>
          add(matmul(value, param(name, [inputs, outputs])), bias);
        const xNode = input('x', dims);
        const h1 = layerNorm(xNode, { name: 'ln1', eps: BLOCK_EPSILON });
        // One [C, 3C] projection for Q, K and V: one matmul (with LN1 in its prologue) whose
        // epilogue stores each third straight into its heads layout.
        const qkv = linear(h1, 'wqkv', width, 3 * width, param('bqkv', [3 * width]));
        const split = (index: number) =>
          permute(
            reshape(slice(qkv, [0, 0, index * width], [1, tokens, (index + 1) * width]), [
              1,
              tokens,
              heads,
              headDim,
            ]),
            [0, 2, 1, 3],
          );
        const spec = attention({ heads, headDim, mask: causal(), name: 'attn' });
        const { output } = applyAttention(spec, { query: split(0), key: split(1), value: split(2) });
        const attended = reshape(permute(output, [0, 2, 1, 3]), dims);
        const x2 = add(xNode, linear(attended, 'wo', width, width, param('bo', [width])));
        const h2 = layerNorm(x2, { name: 'ln2', eps: BLOCK_EPSILON });
        const up = gelu(linear(h2, 'w1', width, hidden, param('b1', [hidden])));
        const y = add(x2, linear(up, 'w2', hidden, width, param('b2', [width])));
        const params = {
          'ln1.gamma': weights.ln1Gamma,
          'ln1.beta': weights.ln1Beta,
          wqkv: concatColumns([weights.wq, weights.wk, weights.wv], width),
          bqkv: weights.bqkv,
          wo: weights.wo,
          bo: weights.bo,
          'ln2.gamma': weights.ln2Gamma,
          'ln2.beta': weights.ln2Beta,
          w1: weights.w1,
          b1: weights.b1,
          w2: weights.w2,
          b2: weights.b2,
        };
        return { graph: ir.makeGraph({ y }), params, inputs: { x } };
      };
      const flops =
        2 * tokens * width * width * 4 +
        2 * tokens * width * hidden * 2 +
        (4 * heads * tokens * tokens * headDim) / 2;
      const computeReference = once(() => transformerBlockReference(x, weights, shape));
      return {
        get reference() {
          return computeReference();
        },
        flops,
        systems: {
          'weft-fused': weftSystem(weft, true, buildWeft),
          'weft-unfused': weftSystem(weft, false, buildWeft),
          tfjs: tfjsSystem((tf) => {
            const t = {
              ln1Gamma: tf.tensor1d(weights.ln1Gamma),
              ln1Beta: tf.tensor1d(weights.ln1Beta),
              wq: tf.tensor2d(weights.wq, [width, width]),
              wk: tf.tensor2d(weights.wk, [width, width]),
              wv: tf.tensor2d(weights.wv, [width, width]),
              bq: tf.tensor1d(weights.bqkv.subarray(0, width)),
              bk: tf.tensor1d(weights.bqkv.subarray(width, 2 * width)),
              bv: tf.tensor1d(weights.bqkv.subarray(2 * width)),
              wo: tf.tensor2d(weights.wo, [width, width]),
              bo: tf.tensor1d(weights.bo),
              ln2Gamma: tf.tensor1d(weights.ln2Gamma),
              ln2Beta: tf.tensor1d(weights.ln2Beta),
              w1: tf.tensor2d(weights.w1, [width, hidden]),
              b1: tf.tensor1d(weights.b1),
              w2: tf.tensor2d(weights.w2, [hidden, width]),
              b2: tf.tensor1d(weights.b2),
              mask: tf.tensor2d(mask.subarray(0, tokens * tokens), [tokens, tokens]),
            };
            type Tensor = import('../peers/tfjs.js').TfjsTensor;
            const norm = (value: Tensor, gamma: Tensor, beta: Tensor) => {
              const { mean, variance } = tf.moments(value, -1, true);
              return tf.add(
                tf.mul(tf.mul(tf.sub(value, mean), tf.rsqrt(tf.add(variance, BLOCK_EPSILON))), gamma),
                beta,
              );
            };
            const heads4 = (value: Tensor) =>
              tf.transpose(tf.reshape(value, [1, tokens, heads, headDim]), [0, 2, 1, 3]);
            return {
              compute: () => {
                const xTensor = tf.tensor2d(x, [tokens, width]);
                const h1 = norm(xTensor, t.ln1Gamma, t.ln1Beta);
                const q = heads4(tf.add(tf.matMul(h1, t.wq), t.bq));
                const k = heads4(tf.add(tf.matMul(h1, t.wk), t.bk));
                const v = heads4(tf.add(tf.matMul(h1, t.wv), t.bv));
                const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), t.mask);
                const attended = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [
                  tokens,
                  width,
                ]);
                const x2 = tf.add(xTensor, tf.add(tf.matMul(attended, t.wo), t.bo));
                const up = tf.add(tf.matMul(norm(x2, t.ln2Gamma, t.ln2Beta), t.w1), t.b1);
                const activated = tf.mul(tf.mul(up, 0.5), tf.add(tf.erf(tf.mul(up, Math.SQRT1_2)), 1));
                return tf.add(x2, tf.add(tf.matMul(activated, t.w2), t.b2));
              },
              constants: Object.values(t),
            };
          }),
          'ort-jsep': ortSystem('jsep', model, { x: { data: x, dims } }, 'y'),
          'ort-webgpu': ortSystem('webgpu', model, { x: { data: x, dims } }, 'y'),
        },
      };
    },
  };
}

/** Seeded weights scaled by 1/√fan-in, so activations stay of order one. */
function blockWeights(width: number): TransformerBlockWeights {
  const hidden = 4 * width;
  const matrix = (rows: number, columns: number, seed: number) => {
    const bound = 1 / Math.sqrt(rows);
    return randomValues(rows * columns, seed, -bound, bound);
  };
  return {
    ln1Gamma: randomValues(width, 61, 0.5, 1.5),
    ln1Beta: randomValues(width, 62, -0.2, 0.2),
    wq: matrix(width, width, 63),
    wk: matrix(width, width, 64),
    wv: matrix(width, width, 65),
    bqkv: randomValues(3 * width, 66, -0.2, 0.2),
    wo: matrix(width, width, 67),
    bo: randomValues(width, 68, -0.2, 0.2),
    ln2Gamma: randomValues(width, 69, 0.5, 1.5),
    ln2Beta: randomValues(width, 70, -0.2, 0.2),
    w1: matrix(width, hidden, 71),
    b1: randomValues(hidden, 72, -0.2, 0.2),
    w2: matrix(hidden, width, 73),
    b2: randomValues(width, 74, -0.2, 0.2),
  };
}

/** Concatenates row-major [rows, width] matrices along their columns: [rows, width · count]. */
function concatColumns(matrices: readonly Float32Array[], width: number): Float32Array {
  const rows = matrices[0]!.length / width;
  const result = new Float32Array(rows * width * matrices.length);
  for (let row = 0; row < rows; row++) {
    matrices.forEach((matrix, index) => {
      result.set(matrix.subarray(row * width, (row + 1) * width), (row * matrices.length + index) * width);
    });
  }
  return result;
}
