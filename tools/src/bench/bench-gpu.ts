import { setFlagsFromString } from 'node:v8';

/** Where Debian's `chromium` package installs SwiftShader's Vulkan driver manifest. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * The one Dawn `GPU` of the benchmark process, shared by Weft, tfjs and onnxruntime-web so that
 * every system runs on the same adapter. Created on first call; later calls return the same one.
 *
 * Besides creating it, this sets what the peers expect of a browser: Dawn's `GPU*` classes as
 * globals and `navigator.gpu`; makes `queue.writeBuffer` accept SharedArrayBuffer-backed data
 * (onnxruntime-web's threaded wasm memory, which Dawn's binding refuses); and keeps V8 from
 * optimizing wasm with TurboFan (see {@link createBenchGpu}).
 */
export function benchGpu(): Promise<GPU> {
  gpu ??= createBenchGpu();
  return gpu;
}

let gpu: Promise<GPU> | undefined;

async function createBenchGpu(): Promise<GPU> {
  // Without a GPU the adapter is SwiftShader's; the user's choice of drivers wins when given.
  if (process.env.VK_ICD_FILENAMES === undefined && process.env.VK_DRIVER_FILES === undefined) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // onnxruntime-web's wasm modules are 20+ MB; TurboFan tier-up of them takes minutes on two cores
  // and stalls the first inference. Baseline (Liftoff) code only costs its host-side dispatch work.
  setFlagsFromString('--liftoff-only');
  const { create, globals } = await import('webgpu');
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in globalThis))
      Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const created = create([]);
  // tfjs-backend-webgpu and onnxruntime-web find WebGPU through navigator.gpu, as in a browser.
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis as { navigator?: object }).navigator, gpu: created },
    configurable: true,
    writable: true,
  });
  acceptSharedWriteBufferData();
  return created;
}

type WriteBufferData = BufferSource | SharedArrayBuffer | ArrayBufferView<SharedArrayBuffer>;

function acceptSharedWriteBufferData(): void {
  const prototype = GPUQueue.prototype as unknown as {
    writeBuffer(
      buffer: GPUBuffer,
      offset: number,
      data: WriteBufferData,
      dataOffset?: number,
      size?: number,
    ): void;
  };
  const writeBuffer = prototype.writeBuffer;
  prototype.writeBuffer = function (buffer, offset, data, dataOffset, size) {
    if (data instanceof SharedArrayBuffer) {
      // ArrayBuffer form: dataOffset and size count bytes.
      const start = dataOffset ?? 0;
      const copy = new Uint8Array(data, start, size ?? data.byteLength - start).slice();
      return writeBuffer.call(this, buffer, offset, copy);
    }
    if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) {
      // View form: dataOffset and size count elements, so a copy of the same type keeps them valid.
      const copy =
        'slice' in data
          ? (data as unknown as Uint8Array).slice()
          : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      return writeBuffer.call(this, buffer, offset, copy, dataOffset, size);
    }
    return writeBuffer.call(this, buffer, offset, data, dataOffset, size);
  };
}
