/**
 * A fake `GPUDevice` for unit tests of the runtime's bookkeeping (no GPU work happens): every
 * call succeeds, `lost` never resolves, and the callbacks registered on `lost` are counted.
 */
export interface FakeDevice {
  readonly device: GPUDevice;
  /** Callbacks registered through `device.lost.then`. */
  readonly lostListeners: () => number;
  /** Resolves `device.lost`, as a real loss would. */
  readonly lose: (message?: string) => void;
  /** Makes every later `mapAsync` reject with an empty `AbortError`, as Dawn does on device loss. */
  readonly abortMaps: () => void;
}

export function fakeDevice(): FakeDevice {
  installGpuConstants();
  const listeners: ((info: GPUDeviceLostInfo) => unknown)[] = [];
  const lost = {
    // biome-ignore lint/suspicious/noThenProperty: a hand-made thenable that counts its listeners.
    then(onFulfilled: (info: GPUDeviceLostInfo) => unknown) {
      listeners.push(onFulfilled);
      return new Promise(() => undefined);
    },
  };
  let abort = false;
  const buffer = () => ({
    destroy() {},
    mapAsync: () => (abort ? Promise.reject(new DOMException('', 'AbortError')) : Promise.resolve()),
    getMappedRange: () => new ArrayBuffer(1 << 16),
    unmap() {},
  });
  const pass = { setPipeline() {}, setBindGroup() {}, dispatchWorkgroups() {}, end() {} };
  const device = {
    label: 'fake',
    features: new Set<string>(),
    limits: {
      maxBufferSize: 2 ** 30,
      maxStorageBufferBindingSize: 2 ** 27,
      maxStorageBuffersPerShaderStage: 8,
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupSizeX: 256,
      maxComputeWorkgroupSizeY: 256,
      maxComputeWorkgroupSizeZ: 64,
      maxComputeWorkgroupStorageSize: 16384,
      maxComputeWorkgroupsPerDimension: 65535,
      minStorageBufferOffsetAlignment: 256,
      maxUniformBufferBindingSize: 65536,
    },
    lost,
    createShaderModule: () => ({}),
    createBindGroupLayout: () => ({}),
    createPipelineLayout: () => ({}),
    createComputePipelineAsync: () => Promise.resolve({ getBindGroupLayout: () => ({}) }),
    createBuffer: buffer,
    createBindGroup: () => ({}),
    createCommandEncoder: () => ({
      beginComputePass: () => pass,
      copyBufferToBuffer() {},
      finish: () => ({}),
    }),
    pushErrorScope() {},
    popErrorScope: () => Promise.resolve(null),
    queue: { writeBuffer() {}, submit() {}, onSubmittedWorkDone: () => Promise.resolve() },
  };
  return {
    device: device as unknown as GPUDevice,
    lostListeners: () => listeners.length,
    abortMaps: () => {
      abort = true;
    },
    lose: (message = 'gone') => {
      for (const listener of listeners) listener({ reason: 'unknown', message } as GPUDeviceLostInfo);
    },
  };
}

function installGpuConstants(): void {
  const scope = globalThis as Record<string, unknown>;
  scope.GPUBufferUsage ??= {
    MAP_READ: 1,
    MAP_WRITE: 2,
    COPY_SRC: 4,
    COPY_DST: 8,
    INDEX: 16,
    VERTEX: 32,
    UNIFORM: 64,
    STORAGE: 128,
    INDIRECT: 256,
    QUERY_RESOLVE: 512,
  };
  scope.GPUMapMode ??= { READ: 1, WRITE: 2 };
  scope.GPUShaderStage ??= { VERTEX: 1, FRAGMENT: 2, COMPUTE: 4 };
}
