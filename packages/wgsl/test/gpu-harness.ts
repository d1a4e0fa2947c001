import { type DimBindings, elementCount, type Node, resolveShape } from '@weft/ir';
import { create, globals } from 'webgpu';
import type { GeneratedKernel } from '../src/generated-kernel.js';

let gpu: GPU | undefined;

/** A Dawn device with the adapter's limits, and `subgroups` when the adapter has it. */
export async function requestTestDevice(): Promise<GPUDevice> {
  // Dawn's classes and enums become globals (as in a browser); names the host already has stay.
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in globalThis))
      Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  // The instance must outlive its devices: a collected instance takes them down.
  gpu ??= create([]);
  const adapter = await gpu.requestAdapter();
  if (adapter === null) throw new Error('no WebGPU adapter (is VK_ICD_FILENAMES set to SwiftShader?)');
  const requiredLimits: Record<string, number> = {};
  for (const name of [
    'maxComputeWorkgroupStorageSize',
    'maxStorageBuffersPerShaderStage',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
  ]) {
    requiredLimits[name] = (adapter.limits as unknown as Record<string, number>)[name]!;
  }
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('subgroups')
    ? ['subgroups' as GPUFeatureName]
    : [];
  return adapter.requestDevice({ requiredFeatures, requiredLimits });
}

/** Compiles `kernel`'s module and creates its pipeline; returns every error and validation message. */
export async function compileErrors(device: GPUDevice, kernel: GeneratedKernel): Promise<string[]> {
  const module = device.createShaderModule({ code: kernel.wgsl, label: kernel.label });
  const info = await module.getCompilationInfo();
  const messages = info.messages
    .filter((message) => message.type === 'error')
    .map((message) => `${message.lineNum}: ${message.message}`);
  device.pushErrorScope('validation');
  await device
    .createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: kernel.entryPoint } })
    .catch((error: Error) => {
      messages.push(error.message);
    });
  const error = await device.popErrorScope();
  if (error !== null) messages.push(error.message);
  return messages;
}

/**
 * Runs `kernel` on `inputs` (row-major values per input tensor) and returns its outputs. Outputs
 * are poisoned with NaN (f32) or -1 (integers) first. Packed bindings get one buffer holding their
 * tensors at 256-byte-aligned offsets.
 */
export async function runKernel(
  device: GPUDevice,
  kernel: GeneratedKernel,
  inputs: ReadonlyMap<Node, ArrayLike<number>>,
  dims: DimBindings = {},
): Promise<Map<Node, Float32Array | Int32Array>> {
  const entries: GPUBindGroupEntry[] = [];
  const outputs: { node: Node; buffer: GPUBuffer; bytes: number }[] = [];
  const packedOffsets = new Map<Node, number>();
  for (const binding of kernel.bindings) {
    if (binding.kind === 'uniform') continue;
    const sizes = binding.tensors.map((node) => elementCount(resolveShape(node.shape, dims)) * 4);
    const offsets: number[] = [];
    let total = 0;
    for (const size of sizes) {
      offsets.push(total);
      total = Math.ceil((total + size) / 256) * 256;
    }
    const buffer = device.createBuffer({
      size: Math.max(16, total),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    binding.tensors.forEach((node, position) => {
      if (binding.tensors.length > 1) packedOffsets.set(node, offsets[position]!);
      if (binding.access === 'read_write') {
        outputs.push({ node, buffer, bytes: sizes[position]! });
        device.queue.writeBuffer(
          buffer,
          offsets[position]!,
          new Uint32Array(new ArrayBuffer(sizes[position]!)).fill(0xffffffff),
        );
        return;
      }
      const values = inputs.get(node);
      if (values === undefined) throw new Error(`no data for input ${node.op}#${node.hash.slice(0, 8)}`);
      device.queue.writeBuffer(buffer, offsets[position]!, typedFor(node, values));
    });
    entries.push({ binding: binding.binding, resource: { buffer } });
  }
  const uniformBinding = kernel.bindings.find((binding) => binding.kind === 'uniform');
  if (uniformBinding !== undefined) {
    const words = kernel.uniforms(dims, packedOffsets);
    const buffer = device.createBuffer({
      size: words.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(buffer, 0, words);
    entries.push({ binding: uniformBinding.binding, resource: { buffer } });
  }
  const module = device.createShaderModule({ code: kernel.wgsl });
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module, entryPoint: kernel.entryPoint },
  });
  const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...kernel.workgroups(dims));
  pass.end();
  const staging = outputs.map(({ bytes }) =>
    device.createBuffer({
      size: Math.max(16, bytes),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    }),
  );
  outputs.forEach(({ buffer, bytes }, position) => {
    encoder.copyBufferToBuffer(buffer, 0, staging[position]!, 0, bytes);
  });
  device.queue.submit([encoder.finish()]);
  const results = new Map<Node, Float32Array | Int32Array>();
  for (const [position, { node, bytes }] of outputs.entries()) {
    const buffer = staging[position]!;
    await buffer.mapAsync(GPUMapMode.READ);
    const copy = buffer.getMappedRange(0, bytes).slice(0);
    buffer.unmap();
    results.set(node, node.dtype === 'f32' ? new Float32Array(copy) : new Int32Array(copy));
  }
  return results;
}

function typedFor(
  node: Node,
  values: ArrayLike<number>,
): Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> {
  if (node.dtype === 'f32') return Float32Array.from(values);
  if (node.dtype === 'u32' || node.dtype === 'bool') return Uint32Array.from(values);
  return Int32Array.from(values);
}
