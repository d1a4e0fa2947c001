import { encodeOnnxModel } from '@weft/ir/test';
import type { BenchCase } from '../bench-case.js';
import { ortSystem } from '../peers/onnxruntime-web.js';
import { tfjsSystem } from '../peers/tfjs.js';
import { randomValues } from '../random-values.js';
import { weftSystem } from '../weft/weft-system.js';

/**
 * A chain of six elementwise ops, `y = exp(tanh(x·z + x) · 0.5) − z` over `[rows, columns]`:
 * fused it is one kernel reading two tensors and writing one; unfused it is six kernels with five
 * intermediate tensors.
 */
export function elementwiseChainCase(rows: number, columns: number): BenchCase {
  return {
    name: 'elementwise-chain',
    group: 'elementwise',
    description: `y = exp(tanh(x·z + x)·0.5) − z, 6 ops over [${rows}, ${columns}]`,
    setup({ weft }) {
      const count = rows * columns;
      const x = randomValues(count, 21, -2, 2);
      const z = randomValues(count, 22, -2, 2);
      const reference = new Float64Array(count);
      for (let index = 0; index < count; index++) {
        reference[index] = Math.exp(Math.tanh(x[index]! * z[index]! + x[index]!) * 0.5) - z[index]!;
      }
      const shape = [rows, columns];
      const model = encodeOnnxModel({
        opset: 17,
        inputs: [
          { name: 'x', shape },
          { name: 'z', shape },
        ],
        outputs: [{ name: 'y', shape }],
        initializers: [{ name: 'half', shape: [], values: new Float32Array([0.5]) }],
        nodes: [
          { opType: 'Mul', inputs: ['x', 'z'], outputs: ['t1'] },
          { opType: 'Add', inputs: ['t1', 'x'], outputs: ['t2'] },
          { opType: 'Tanh', inputs: ['t2'], outputs: ['t3'] },
          { opType: 'Mul', inputs: ['t3', 'half'], outputs: ['t4'] },
          { opType: 'Exp', inputs: ['t4'], outputs: ['t5'] },
          { opType: 'Sub', inputs: ['t5', 'z'], outputs: ['y'] },
        ],
      });
      const feeds = { x: { data: x, dims: shape }, z: { data: z, dims: shape } };
      const buildWeft = async () => {
        const { add, exp, input, makeGraph, mul, sub, tanh } = await import('@weft/ir');
        const xNode = input('x', shape);
        const zNode = input('z', shape);
        const graph = makeGraph({ y: sub(exp(mul(tanh(add(mul(xNode, zNode), xNode)), 0.5)), zNode) });
        return { graph, inputs: { x, z } };
      };
      return {
        reference,
        systems: {
          'weft-fused': weftSystem(weft, true, buildWeft),
          'weft-unfused': weftSystem(weft, false, buildWeft),
          tfjs: tfjsSystem((tf) => ({
            compute: () => {
              const xTensor = tf.tensor2d(x, [rows, columns]);
              const zTensor = tf.tensor2d(z, [rows, columns]);
              return tf.sub(tf.exp(tf.mul(tf.tanh(tf.add(tf.mul(xTensor, zTensor), xTensor)), 0.5)), zTensor);
            },
          })),
          'ort-jsep': ortSystem('jsep', model, feeds, 'y'),
          'ort-webgpu': ortSystem('webgpu', model, feeds, 'y'),
        },
      };
    },
  };
}
