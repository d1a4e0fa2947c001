import { setFlagsFromString } from 'node:v8'; setFlagsFromString('--liftoff-only');
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const gpu = create([]);
(globalThis as any).navigator = { gpu };
const wb = GPUQueue.prototype.writeBuffer;
GPUQueue.prototype.writeBuffer = function (buffer: any, offset: any, data: any, dataOffset?: any, size?: any) {
  if (data instanceof SharedArrayBuffer) { data = new Uint8Array(data, dataOffset ?? 0, size ?? data.byteLength - (dataOffset ?? 0)).slice(); dataOffset = undefined; size = undefined; }
  else if (data.buffer instanceof SharedArrayBuffer) { data = data.slice(); }
  return (wb as any).call(this, buffer, offset, data, dataOffset, size);
} as any;
const { encodeOnnxModel } = await import('./onnx/onnx-model.js');
const { randomValues } = await import('./random-values.js');
const n = 64;
const bytes = encodeOnnxModel({ inputs: [{ name: 'a', shape: [n, n] }, { name: 'b', shape: [n, n] }], outputs: [{ name: 'c', shape: [n, n] }], nodes: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }] });
const A = randomValues(n * n, 1), B = randomValues(n * n, 2);
for (const which of ['webgpu', 'all']) {
  const ort: any = which === 'all' ? await import('onnxruntime-web/all') : await import('onnxruntime-web/webgpu');
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
  for (let r = 0; r < 3; r++) { const t1 = performance.now(); const out = await session.run({ a: new ort.Tensor('float32', A, [n, n]), b: new ort.Tensor('float32', B, [n, n]) }); console.log(which, 'run', performance.now() - t1, out.c.data[0]); }
}
