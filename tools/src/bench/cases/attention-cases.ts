import { encodeOnnxModel } from '@weft/ir/test';
import { type BenchCase, once } from '../bench-case.js';
import { ortSystem } from '../peers/onnxruntime-web.js';
import { tfjsSystem } from '../peers/tfjs.js';
import { randomValues } from '../random-values.js';
import { type AttentionShape, attentionReference } from '../reference/attention-reference.js';
import { weftSystem } from '../weft/weft-system.js';

/**
 * Multi-head softmax attention, B=1, H=4, d=32, N=`sequence`, causal or not, on q, k, v laid out
 * `[B, N, H·d]` (the layout of ONNX `MultiHeadAttention`, so every system pays for its own head
 * split): Weft's fused flash-attention kernel and its decomposition into primitive ops, tfjs as
 * `matMul` + `softmax`, and onnxruntime-web's `com.microsoft.MultiHeadAttention` (the C++ build both
 * on its own device and on one without subgroups).
 *
 * Causality reaches onnxruntime-web as an additive `attention_bias` `[B, H, N, N]` (0 or −10000):
 * its JavaScript kernels ignore the `unidirectional` attribute (they compute full attention) and
 * accept only a bias of that exact shape; tfjs adds the same mask to its scores.
 */
export function attentionCases(sequences: readonly number[]): BenchCase[] {
  return sequences.flatMap((sequence) =>
    [false, true].map((causal) => attentionCase({ batch: 1, heads: 4, sequence, headDim: 32, causal })),
  );
}

function attentionCase(shape: AttentionShape): BenchCase {
  const { batch, heads, sequence, headDim, causal } = shape;
  const hidden = heads * headDim;
  return {
    name: `attention-n${sequence}${causal ? '-causal' : ''}`,
    group: 'attention',
    description: `${causal ? 'causal ' : ''}MHA B=${batch} H=${heads} N=${sequence} d=${headDim}, q/k/v [B, N, H·d]`,
    setup({ weft }) {
      const size = batch * sequence * hidden;
      const query = randomValues(size, 41);
      const key = randomValues(size, 42);
      const value = randomValues(size, 43);
      const dims = [batch, sequence, hidden];
      const mask = causalBias(sequence);
      const maskBias = new Float32Array(batch * heads * mask.length).map(
        (_, index) => mask[index % mask.length]!,
      );
      const model = encodeOnnxModel({
        opset: 17,
        inputs: ['query', 'key', 'value'].map((name) => ({ name, shape: dims })),
        outputs: [{ name: 'output', shape: dims }],
        initializers: causal
          ? [{ name: 'mask', shape: [batch, heads, sequence, sequence], values: maskBias }]
          : [],
        nodes: [
          {
            opType: 'MultiHeadAttention',
            domain: 'com.microsoft',
            // Inputs 3 and 4 (bias, key_padding_mask) are absent; 5 is attention_bias.
            inputs: causal ? ['query', 'key', 'value', '', '', 'mask'] : ['query', 'key', 'value'],
            outputs: ['output'],
            attributes: { num_heads: { int: heads } },
          },
        ],
        domainOpsets: { 'com.microsoft': 1 },
      });
      const feeds = {
        query: { data: query, dims },
        key: { data: key, dims },
        value: { data: value, dims },
      };
      const buildWeft = async () => {
        const { input, makeGraph, permute, reshape } = await import('@weft/ir');
        const { applyAttention, attention, causal: causalMask } = await import('@weft/attention');
        const spec = attention({ heads, headDim, ...(causal ? { mask: causalMask() } : {}), name: 'mha' });
        const split = (name: string) =>
          permute(reshape(input(name, dims), [batch, sequence, heads, headDim]), [0, 2, 1, 3]);
        const { output } = applyAttention(spec, {
          query: split('query'),
          key: split('key'),
          value: split('value'),
        });
        const merged = reshape(permute(output, [0, 2, 1, 3]), dims);
        return { graph: makeGraph({ output: merged }), inputs: { query, key, value } };
      };
      const computeReference = once(() => attentionReference(query, key, value, shape));
      return {
        get reference() {
          return computeReference();
        },
        flops: (4 * batch * heads * sequence * sequence * headDim) / (causal ? 2 : 1),
        systems: {
          'weft-fused': weftSystem(weft, true, buildWeft),
          'weft-unfused': weftSystem(weft, false, buildWeft),
          tfjs: tfjsSystem((tf) => {
            const maskTensor = tf.tensor2d(mask, [sequence, sequence]);
            const split = (data: Float32Array) =>
              tf.transpose(
                tf.reshape(tf.tensor3d(data, [batch, sequence, hidden]), [batch, sequence, heads, headDim]),
                [0, 2, 1, 3],
              );
            return {
              compute: () => {
                const scores = tf.mul(
                  tf.matMul(split(query), split(key), false, true),
                  1 / Math.sqrt(headDim),
                );
                const weights = tf.softmax(causal ? tf.add(scores, maskTensor) : scores);
                return tf.reshape(tf.transpose(tf.matMul(weights, split(value)), [0, 2, 1, 3]), dims);
              },
              constants: [maskTensor],
            };
          }),
          'ort-jsep': ortSystem('jsep', model, feeds, 'output'),
          'ort-webgpu': ortSystem('webgpu', model, feeds, 'output'),
          // Its flash-attention kernel with subgroups is wrong at SwiftShader's subgroup size 4.
          'ort-webgpu-nosubgroups': ortSystem('webgpu', model, feeds, 'output', { hideSubgroups: true }),
        },
      };
    },
  };
}

/** Additive causal mask `[N, N]`: 0 on and below the diagonal, −10000 above (ORT's mask filter value). */
function causalBias(sequence: number): Float32Array {
  const bias = new Float32Array(sequence * sequence);
  for (let i = 0; i < sequence; i++) for (let j = i + 1; j < sequence; j++) bias[i * sequence + j] = -10_000;
  return bias;
}
