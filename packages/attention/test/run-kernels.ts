import { type DimBindings, type Graph, maxElementCount, type Node, resolveShape, runPipeline, elementCount } from '@weft/ir';
import { deviceProfileOf } from '@weft/runtime';
import { generateProgram } from '@weft/wgsl';

/**
 * Runs every kernel of a graph's plan on `device` with one buffer per tensor (outputs filled with
 * NaN first; inputs and parameters by name), and returns the graph outputs. A small harness that exercises generated kernels
 * without the runtime's arena.
 */
export async function runKernels(
  device: GPUDevice,
  graph: Graph,
  inputs: Readonly<Record<string, ArrayLike<number>>>,
  dims: DimBindings,
  options: { subgroups?: boolean } = {},
): Promise<{ outputs: Record<string, Float32Array>; kernels: number; wgsl: string[] }> {
  const { plan } = runPipeline(graph);
  const profile = deviceProfileOf(device, options);
  const kernels = generateProgram(plan, profile);
  const buffers = new Map<Node, GPUBuffer>();
  const bufferOf = (node: Node): GPUBuffer => {
    let buffer = buffers.get(node);
    if (buffer !== undefined) return buffer;
    const count = Math.max(4, maxElementCount(node.shape));
    buffer = device.createBuffer({ size: count * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    const name = node.attrs.name;
    const source = (node.op === 'input' || node.op === 'param') && typeof name === 'string' ? inputs[name] : undefined;
    const data = new (node.dtype === 'i32' ? Int32Array : Float32Array)(count);
    if (source === undefined) data.fill(Number.NaN);
    else data.set(Array.from(source));
    device.queue.writeBuffer(buffer, 0, data);
    buffers.set(node, buffer);
    return buffer;
  };
  const encoder = device.createCommandEncoder();
  device.pushErrorScope('validation');
  for (const kernel of kernels) {
    const module = device.createShaderModule({ code: kernel.wgsl });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: kernel.entryPoint } });
    const entries = kernel.bindings.map((binding): GPUBindGroupEntry => {
      if (binding.kind === 'uniform') {
        const words = kernel.uniforms(dims);
        const buffer = device.createBuffer({ size: words.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
        device.queue.writeBuffer(buffer, 0, words);
        return { binding: binding.binding, resource: { buffer } };
      }
      return { binding: binding.binding, resource: { buffer: bufferOf(binding.tensors[0]!) } };
    });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
    pass.dispatchWorkgroups(...kernel.workgroups(dims));
    pass.end();
  }
  const outputs: Record<string, Float32Array> = {};
  const readbacks: [string, GPUBuffer, number][] = [];
  for (const [name, node] of Object.entries(plan.graph.outputs)) {
    const count = elementCount(resolveShape(node.shape, dims));
    const readback = device.createBuffer({ size: Math.max(4, count) * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(bufferOf(node), 0, readback, 0, count * 4);
    readbacks.push([name, readback, count]);
  }
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  if (error !== null) throw new Error(error.message);
  for (const [name, readback, count] of readbacks) {
    await readback.mapAsync(GPUMapMode.READ);
    outputs[name] = new Float32Array(readback.getMappedRange().slice(0, count * 4));
    readback.unmap();
  }
  for (const buffer of buffers.values()) buffer.destroy();
  return { outputs, kernels: kernels.length, wgsl: kernels.map((kernel) => kernel.wgsl) };
}
