import { type DimBindings, elementCount, type Node, resolveShape } from '@weft/ir';
import { align4, type TensorPlacement } from './kernel-resources.js';
import { arrayTypeFor, type TensorResult } from './tensor-data.js';

/**
 * The readback of a GPU program's outputs through one staging buffer: each output has a fixed
 * range there, its slot's bytes (4-aligned) in the order of `outputs`, and a run copies and reads
 * only the outputs it selects, each at the length of that run.
 */
export class OutputReadback {
  readonly #staging: GPUBuffer;

  constructor(
    device: GPUDevice,
    private readonly outputs: Readonly<Record<string, Node>>,
    private readonly placement: TensorPlacement,
  ) {
    const stagingBytes = Object.values(outputs).reduce(
      (total, node) => total + align4(placement.bytes(node)),
      0,
    );
    this.#staging = device.createBuffer({
      label: 'weft-readback',
      size: Math.max(4, stagingBytes),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** Encodes the copies of the `selected` outputs, at lengths `dims`, into the staging buffer. */
  copy(encoder: GPUCommandEncoder, dims: DimBindings, selected: ReadonlySet<string>): void {
    let stagingOffset = 0;
    for (const [name, node] of Object.entries(this.outputs)) {
      const bytes = align4(elementCount(resolveShape(node.shape, dims)) * 4);
      if (selected.has(name)) {
        const { buffer, offset } = this.placement.locate(node);
        encoder.copyBufferToBuffer(buffer, offset, this.#staging, stagingOffset, bytes);
      }
      stagingOffset += align4(this.placement.bytes(node));
    }
  }

  /** Maps the staging buffer (after the run's copies) and reads the `selected` outputs out of it. */
  async read(dims: DimBindings, selected: ReadonlySet<string>): Promise<Record<string, TensorResult>> {
    await this.#staging.mapAsync(GPUMapMode.READ);
    const results: Record<string, TensorResult> = Object.create(null);
    try {
      const bytes = this.#staging.getMappedRange();
      let offset = 0;
      for (const [name, node] of Object.entries(this.outputs)) {
        const shape = resolveShape(node.shape, dims);
        const ArrayType = arrayTypeFor(node.dtype);
        if (selected.has(name)) {
          results[name] = {
            data: new ArrayType(bytes.slice(offset, offset + elementCount(shape) * 4)),
            shape,
            dtype: node.dtype,
          };
        }
        offset += align4(this.placement.bytes(node));
      }
    } finally {
      this.#staging.unmap();
    }
    return results;
  }

  /** Releases the staging buffer. */
  destroy(): void {
    this.#staging.destroy();
  }
}
