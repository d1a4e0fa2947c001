/** Per-kernel GPU timing with `timestamp-query`: one compute pass per kernel, begin and end stamps. */
export interface KernelTimer {
  /** Timestamp writes for kernel `index`'s compute pass. */
  writesFor(index: number): GPUComputePassTimestampWrites;
  /** Resolves the queries into a readable buffer (call after the last pass, before finish). */
  resolve(encoder: GPUCommandEncoder): void;
  /** Milliseconds per kernel, after the submitted work completes. Frees the query resources. */
  read(): Promise<number[]>;
}

/** Creates a {@link KernelTimer} for `count` kernels. The device must have `timestamp-query`. */
export function timeKernels(device: GPUDevice, count: number): KernelTimer {
  const querySet = device.createQuerySet({ type: 'timestamp', count: Math.max(2, count * 2) });
  const bytes = Math.max(2, count * 2) * 8;
  const resolveBuffer = device.createBuffer({
    size: bytes,
    usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
  });
  const readBuffer = device.createBuffer({
    size: bytes,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  return {
    writesFor: (index) => ({
      querySet,
      beginningOfPassWriteIndex: index * 2,
      endOfPassWriteIndex: index * 2 + 1,
    }),
    resolve(encoder) {
      encoder.resolveQuerySet(querySet, 0, count * 2, resolveBuffer, 0);
      encoder.copyBufferToBuffer(resolveBuffer, 0, readBuffer, 0, bytes);
    },
    async read() {
      await readBuffer.mapAsync(GPUMapMode.READ);
      const stamps = new BigInt64Array(readBuffer.getMappedRange().slice(0));
      readBuffer.unmap();
      for (const resource of [readBuffer, resolveBuffer]) resource.destroy();
      querySet.destroy();
      return Array.from(
        { length: count },
        (_, index) => Number(stamps[index * 2 + 1]! - stamps[index * 2]!) / 1e6,
      );
    },
  };
}
