import { setFlagsFromString } from 'node:v8'; setFlagsFromString('--liftoff-only');
import { create, globals } from 'webgpu';
process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
Object.assign(globalThis, globals);
const gpu = create([]);
(globalThis as any).navigator = { gpu };
let dispatches = 0;
const orig = GPUComputePassEncoder.prototype.dispatchWorkgroups;
GPUComputePassEncoder.prototype.dispatchWorkgroups = function (...a: any[]) { dispatches++; return (orig as any).apply(this, a); };
const wb = GPUQueue.prototype.writeBuffer;
GPUQueue.prototype.writeBuffer = function (buffer: any, offset: any, data: any, dataOffset?: any, size?: any) {
  if (data instanceof SharedArrayBuffer) { data = new Uint8Array(data, dataOffset ?? 0, size ?? data.byteLength - (dataOffset ?? 0)).slice(); dataOffset = undefined; size = undefined; }
  else if (data.buffer instanceof SharedArrayBuffer) { data = data.slice(); }
  return (wb as any).call(this, buffer, offset, data, dataOffset, size);
} as any;
for (const m of ['createComputePipeline', 'createComputePipelineAsync', 'createShaderModule', 'requestDevice']) {
  const proto: any = m === 'requestDevice' ? GPUAdapter.prototype : GPUDevice.prototype; const f = proto[m];
  proto[m] = function (...a: any[]) { const t = performance.now(); const r = f.apply(this, a); Promise.resolve(r).then(() => console.log(m, (performance.now() - t).toFixed(1), 'ms')); return r; };
}
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-webgpu');
console.log(await tf.setBackend('webgpu'));
const a = tf.randomUniform([64, 64]); const b = tf.randomUniform([64, 64]);
dispatches = 0;
const c = tf.matMul(a, b); const d = await c.data();
console.log('tfjs ok', d[0], 'dispatches', dispatches);
const which = process.argv[2] ?? 'webgpu';
const ort: any = which === 'all' ? await import('onnxruntime-web/all') : await import('onnxruntime-web/webgpu');
console.log('ort version', ort.env.versions);
ort.env.wasm.numThreads = 1;
const adapter = await gpu.requestAdapter();
const device = await adapter!.requestDevice({ requiredLimits: { maxBufferSize: adapter!.limits.maxBufferSize, maxStorageBufferBindingSize: adapter!.limits.maxStorageBufferBindingSize, maxComputeWorkgroupStorageSize: adapter!.limits.maxComputeWorkgroupStorageSize } });
if (process.argv[3] === "dev") ort.env.webgpu.device = device;
const { encodeOnnxModel } = await import('./onnx/onnx-model.js');
const { randomValues } = await import('./random-values.js');
const n = 64;
const bytes = encodeOnnxModel({ inputs: [{ name: 'a', shape: [n, n] }, { name: 'b', shape: [n, n] }], outputs: [{ name: 'c', shape: [n, n] }], nodes: [{ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }] });
const ts = performance.now(); const session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
console.log('session create', performance.now() - ts); const A = randomValues(n * n, 1), B = randomValues(n * n, 2);
dispatches = 0;
const t0 = performance.now();
const out = await session.run({ a: new ort.Tensor('float32', A, [n, n]), b: new ort.Tensor('float32', B, [n, n]) });
console.log('ort ok', performance.now() - t0, 'dispatches', dispatches);
for (let r = 0; r < 3; r++) { const t1 = performance.now(); dispatches = 0; await session.run({ a: new ort.Tensor('float32', A, [n, n]), b: new ort.Tensor('float32', B, [n, n]) }); console.log('run', performance.now() - t1, dispatches); }
let s = 0; for (let k = 0; k < n; k++) s += A[k]! * B[k * n]!;
console.log(out.c.data[0], s);
const dev = await ort.env.webgpu.device; console.log('ort device features', [...dev.features]);
