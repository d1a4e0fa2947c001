import { encodeOnnxModel } from '@weft/ir/test';
import { type BenchCase, once } from '../bench-case.js';
import { ortSystem } from '../peers/onnxruntime-web.js';
import { tfjsSystem } from '../peers/tfjs.js';
import { randomValues } from '../random-values.js';
import { matmulReference } from '../reference/matmul-reference.js';
import { weftSystem } from '../weft/weft-system.js';

/**
 * Square f32 matmuls `a [n, n] × b [n, n]` (both uploaded each run), reported as GFLOP/s (2n³ per
 * run). One kernel in every system, so Weft runs only fused.
 */
export function matmulCases(sizes: readonly number[]): BenchCase[] {
  return sizes.map((size) => ({
    name: `matmul-${size}`,
    group: 'matmul',
    description: `f32 matmul [${size}, ${size}] × [${size}, ${size}]`,
    setup({ weft }) {
      const a = randomValues(size * size, 11);
      const b = randomValues(size * size, 12);
      const model = encodeOnnxModel({
        opset: 17,
        inputs: [
          { name: 'a', shape: [size, size] },
          { name: 'b', shape: [size, size] },
        ],
        outputs: [{ name: 'c', shape: [size, size] }],
        nodes: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
      });
      const feeds = { a: { data: a, dims: [size, size] }, b: { data: b, dims: [size, size] } };
      const computeReference = once(() => matmulReference(a, b, size, size, size));
      return {
        get reference() {
          return computeReference();
        },
        flops: 2 * size ** 3,
        systems: {
          'weft-fused': weftSystem(weft, true, async () => {
            const { input, makeGraph, matmul } = await import('@weft/ir');
            const graph = makeGraph({ c: matmul(input('a', [size, size]), input('b', [size, size])) });
            return { graph, inputs: { a, b } };
          }),
          tfjs: tfjsSystem((tf) => ({
            compute: () => tf.matMul(tf.tensor2d(a, [size, size]), tf.tensor2d(b, [size, size])),
          })),
          'ort-jsep': ortSystem('jsep', model, feeds, 'c'),
          'ort-webgpu': ortSystem('webgpu', model, feeds, 'c'),
        },
      };
    },
  }));
}
