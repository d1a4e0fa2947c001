import { GpuBufferLedger, type GpuMemoryWindow } from './gpu-buffer-ledger.js';

/**
 * Tracks the GPU buffer bytes of every system in the process (Weft, tfjs, onnxruntime-web, on any
 * device they create): wraps `GPUDevice.prototype.createBuffer` and `GPUBuffer.prototype.destroy`
 * once, after the `GPU*` globals exist. The same measurement for every system; buffers dropped
 * without `destroy()` stay counted (an upper bound), and textures are not counted.
 */
export function installGpuMemoryTracker(): void {
  if (installed) return;
  installed = true;
  const device = GPUDevice.prototype as unknown as {
    createBuffer(descriptor: GPUBufferDescriptor): GPUBuffer;
  };
  const createBuffer = device.createBuffer;
  device.createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor) {
    const buffer = createBuffer.call(this, descriptor);
    ledger.allocate(buffer, buffer.size);
    return buffer;
  };
  const buffer = GPUBuffer.prototype as unknown as { destroy(): undefined };
  const destroy = buffer.destroy;
  buffer.destroy = function (this: GPUBuffer) {
    ledger.release(this);
    return destroy.call(this);
  };
}

/**
 * Opens a window over the tracked bytes (see {@link GpuBufferLedger.openWindow}); `undefined` when
 * the tracker is not installed.
 */
export function openGpuMemoryWindow(): GpuMemoryWindow | undefined {
  return installed ? ledger.openWindow() : undefined;
}

const ledger = new GpuBufferLedger();
let installed = false;
