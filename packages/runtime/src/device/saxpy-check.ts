/** Result of {@link runSaxpyCheck}. */
export interface SaxpyCheckResult {
  /** Number of elements computed. */
  readonly count: number;
  /** Largest |gpu − cpu| over the elements. */
  readonly maxAbsError: number;
  /** Wall time of dispatch plus readback, in milliseconds. */
  readonly milliseconds: number;
}

const SAXPY_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> a: vec4<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < arrayLength(&y)) {
    y[id.x] = a.x * x[id.x] + y[id.x];
  }
}
`;

/**
 * A self-contained device check: computes `y = a·x + y` on `count` seeded random values on the
 * GPU and compares with the same computation in JS. Used by the setup check and the tests.
 */
export async function runSaxpyCheck(device: GPUDevice, count = 1024): Promise<SaxpyCheckResult> {
  const x = new Float32Array(count);
  const y = new Float32Array(count);
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return 0.5 + state / 2 ** 32; // in [0.5, 1.5): never zero
  };
  for (let i = 0; i < count; i++) {
    x[i] = next();
    y[i] = -next();
  }
  const a = 2.5;
  const start = performance.now();
  const usage = GPUBufferUsage;
  const xBuffer = device.createBuffer({ size: x.byteLength, usage: usage.STORAGE | usage.COPY_DST });
  const yBuffer = device.createBuffer({
    size: y.byteLength,
    usage: usage.STORAGE | usage.COPY_DST | usage.COPY_SRC,
  });
  const aBuffer = device.createBuffer({ size: 16, usage: usage.UNIFORM | usage.COPY_DST });
  const readBuffer = device.createBuffer({ size: y.byteLength, usage: usage.MAP_READ | usage.COPY_DST });
  device.queue.writeBuffer(xBuffer, 0, x);
  device.queue.writeBuffer(yBuffer, 0, y);
  device.queue.writeBuffer(aBuffer, 0, new Float32Array([a, 0, 0, 0]));
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: SAXPY_WGSL }), entryPoint: 'main' },
  });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: xBuffer } },
      { binding: 1, resource: { buffer: yBuffer } },
      { binding: 2, resource: { buffer: aBuffer } },
    ],
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(Math.ceil(count / 64));
  pass.end();
  encoder.copyBufferToBuffer(yBuffer, 0, readBuffer, 0, y.byteLength);
  device.queue.submit([encoder.finish()]);
  await readBuffer.mapAsync(GPUMapMode.READ);
  const result = new Float32Array(readBuffer.getMappedRange().slice(0));
  readBuffer.unmap();
  const milliseconds = performance.now() - start;
  let maxAbsError = 0;
  for (let i = 0; i < count; i++) {
    maxAbsError = Math.max(maxAbsError, Math.abs(result[i]! - Math.fround(a * x[i]! + y[i]!)));
  }
  for (const buffer of [xBuffer, yBuffer, aBuffer, readBuffer]) buffer.destroy();
  return { count, maxAbsError, milliseconds };
}
