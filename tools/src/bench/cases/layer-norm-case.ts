import { encodeOnnxModel } from '@weft/ir/test';
import type { BenchCase } from '../bench-case.js';
import { ortSystem } from '../peers/onnxruntime-web.js';
import { tfjsSystem } from '../peers/tfjs.js';
import { randomValues } from '../random-values.js';
import { layerNormReference } from '../reference/layer-norm-reference.js';
import { weftSystem } from '../weft/weft-system.js';

const EPSILON = 1e-5;

/**
 * LayerNorm over the last axis of `x [rows, columns]` with learned γ and β (ε = 1e-5): Weft's
 * `layerNorm` from `@weft/norms` fused and unfused, tfjs composed of its ops (it has no LayerNorm),
 * and ONNX `LayerNormalization` (opset 17) on both onnxruntime-web builds.
 */
export function layerNormCase(rows: number, columns: number): BenchCase {
  return {
    name: `layer-norm-${rows}x${columns}`,
    group: 'layer-norm',
    description: `LayerNorm over the last axis of [${rows}, ${columns}], γ and β`,
    setup({ weft }) {
      const x = randomValues(rows * columns, 31, -3, 3);
      const gamma = randomValues(columns, 32, 0.5, 1.5);
      const beta = randomValues(columns, 33, -0.5, 0.5);
      const model = encodeOnnxModel({
        opset: 17,
        inputs: [{ name: 'x', shape: [rows, columns] }],
        outputs: [{ name: 'y', shape: [rows, columns] }],
        initializers: [
          { name: 'gamma', shape: [columns], values: gamma },
          { name: 'beta', shape: [columns], values: beta },
        ],
        nodes: [
          {
            opType: 'LayerNormalization',
            inputs: ['x', 'gamma', 'beta'],
            outputs: ['y'],
            attributes: { axis: { int: 1 }, epsilon: { float: EPSILON } },
          },
        ],
      });
      const feeds = { x: { data: x, dims: [rows, columns] } };
      const buildWeft = async () => {
        const { input, makeGraph } = await import('@weft/ir');
        const { layerNorm } = await import('@weft/norms');
        const graph = makeGraph({ y: layerNorm(input('x', [rows, columns]), { name: 'ln', eps: EPSILON }) });
        return { graph, params: { 'ln.gamma': gamma, 'ln.beta': beta }, inputs: { x } };
      };
      return {
        reference: layerNormReference(x, gamma, beta, rows, columns, EPSILON),
        systems: {
          'weft-fused': weftSystem(weft, true, buildWeft),
          'weft-unfused': weftSystem(weft, false, buildWeft),
          tfjs: tfjsSystem((tf) => {
            const gammaTensor = tf.tensor1d(gamma);
            const betaTensor = tf.tensor1d(beta);
            return {
              compute: () => {
                const xTensor = tf.tensor2d(x, [rows, columns]);
                const { mean, variance } = tf.moments(xTensor, -1, true);
                const normalized = tf.mul(tf.sub(xTensor, mean), tf.rsqrt(tf.add(variance, EPSILON)));
                return tf.add(tf.mul(normalized, gammaTensor), betaTensor);
              },
              constants: [gammaTensor, betaTensor],
            };
          }),
          'ort-jsep': ortSystem('jsep', model, feeds, 'y'),
          'ort-webgpu': ortSystem('webgpu', model, feeds, 'y'),
        },
      };
    },
  };
}
