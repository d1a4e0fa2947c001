/**
 * Counts the GPU buffers of one device that were created and not destroyed, by wrapping that
 * device's `createBuffer` and each buffer's `destroy`.
 */
export class GpuBufferCounter {
  #live = 0;
  #liveBytes = 0;
  #created = 0;
  readonly #sizes = new WeakMap<GPUBuffer, number>();

  constructor(device: GPUDevice) {
    const createBuffer = device.createBuffer.bind(device);
    device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
      const buffer = createBuffer(descriptor);
      this.#sizes.set(buffer, buffer.size);
      this.#live++;
      this.#created++;
      this.#liveBytes += buffer.size;
      const destroy = buffer.destroy.bind(buffer);
      buffer.destroy = () => {
        const size = this.#sizes.get(buffer);
        if (size !== undefined) {
          this.#sizes.delete(buffer);
          this.#live--;
          this.#liveBytes -= size;
        }
        return destroy();
      };
      return buffer;
    };
  }

  /** Buffers created and not destroyed. */
  get live(): number {
    return this.#live;
  }
  /** Bytes of those buffers. */
  get liveBytes(): number {
    return this.#liveBytes;
  }
  /** Buffers created so far. */
  get created(): number {
    return this.#created;
  }
}

/** One reading of the process's resources. */
export interface ResourceSample {
  /** V8 heap in use, bytes (after a full GC when the process runs with `--expose-gc`). */
  readonly heapUsed: number;
  /** Resident set size, bytes. */
  readonly rss: number;
  /** Live GPU buffers and their bytes. */
  readonly gpuBuffers: number;
  readonly gpuBytes: number;
}

/** Whether `global.gc` is available (`node --expose-gc`). */
export const canCollect = typeof (globalThis as { gc?: () => void }).gc === 'function';

/** Collects garbage (when possible), then reads heap, RSS and the counter. */
export async function sampleResources(counter: GpuBufferCounter): Promise<ResourceSample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    // Two rounds with a turn of the event loop between: finalizers and weak callbacks run.
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
  const memory = process.memoryUsage();
  return {
    heapUsed: memory.heapUsed,
    rss: memory.rss,
    gpuBuffers: counter.live,
    gpuBytes: counter.liveBytes,
  };
}

/** Whether `end` stayed within `tolerance` (relative) of `start`; small absolute slack for tiny values. */
export function staysFlat(start: number, end: number, tolerance = 0.1, slack = 0): boolean {
  return end <= start * (1 + tolerance) + slack;
}
