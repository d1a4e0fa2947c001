/**
 * Bookkeeping of live GPU buffer bytes: what was created and not yet destroyed, and the most that
 * was ever live. Pure (keys are any objects), so that the arithmetic is testable without a GPU;
 * `gpu-memory-tracker.ts` feeds it from WebGPU.
 */
export class GpuBufferLedger {
  readonly #sizes = new WeakMap<object, number>();
  #liveBytes = 0;
  #peakBytes = 0;

  /** Bytes created and not destroyed. */
  get liveBytes(): number {
    return this.#liveBytes;
  }

  /** Records a new buffer of `bytes`. */
  allocate(buffer: object, bytes: number): void {
    if (this.#sizes.has(buffer)) return;
    this.#sizes.set(buffer, bytes);
    this.#liveBytes += bytes;
    this.#peakBytes = Math.max(this.#peakBytes, this.#liveBytes);
  }

  /** Records that `buffer` was destroyed; a second destroy (or an unknown buffer) changes nothing. */
  release(buffer: object): void {
    const bytes = this.#sizes.get(buffer);
    if (bytes === undefined) return;
    this.#sizes.delete(buffer);
    this.#liveBytes -= bytes;
  }

  /**
   * Starts a measurement window: from now on, {@link GpuMemoryWindow.peakBytes} says how far the
   * live bytes rose above what was live at this moment. Windows do not nest: opening one restarts
   * the peak.
   */
  openWindow(): GpuMemoryWindow {
    const baseline = this.#liveBytes;
    this.#peakBytes = baseline;
    return { peakBytes: () => Math.max(0, this.#peakBytes - baseline) };
  }
}

/** A measurement window of a {@link GpuBufferLedger}. */
export interface GpuMemoryWindow {
  /** The most bytes live at once since the window opened, above what was live when it opened. */
  peakBytes(): number;
}
