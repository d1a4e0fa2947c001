import {
  byteSize,
  type DType,
  formatShape,
  type Kernel,
  maxElementCount,
  type Node,
  UnsupportedError,
} from '@weft/ir';
import { type InputAccess, inputBindingAccess, packedBindingAccess } from './generate-options.js';
import type { DeviceProfile } from './generated-kernel.js';
import { sanitizeIdentifier } from './sanitize.js';
import { requireStorableDType, storageType } from './wgsl-types.js';

/** Where one tensor of a kernel lives in the shader. */
export interface TensorSlot {
  /** The tensor. */
  readonly node: Node;
  /** Binding number. */
  readonly binding: number;
  /** WGSL name of the storage array. */
  readonly name: string;
  /** For a tensor packed with others: the `params` field holding its word offset in the binding. */
  readonly offsetField?: string;
}

/** The storage bindings of one kernel: every input and output, packed when over the device limit. */
export interface TensorBindingLayout {
  /** Slot of each tensor. */
  readonly slots: ReadonlyMap<Node, TensorSlot>;
  /** Storage bindings in binding order: name, access, WGSL element type, tensors. */
  readonly storage: readonly StorageBinding[];
}

/** One `var<storage>` declaration. */
export interface StorageBinding {
  /** Binding number in `@group(0)`. */
  readonly binding: number;
  /** WGSL name of the array. */
  readonly name: string;
  /** `read` for inputs, `read_write` for outputs. */
  readonly access: 'read' | 'read_write';
  /** WGSL element type (`u32` for packed inputs and bools). */
  readonly elementType: string;
  /** The tensors it holds, in order (several only when packed). */
  readonly tensors: readonly Node[];
}

/** Name of the one binding that holds packed inputs. */
export const PACKED_BINDING_NAME = 'packed_inputs';

/**
 * Assigns bindings: inputs first (access per `inputAccess`), then outputs (read_write). When the kernel needs more
 * storage bindings than `maxStorageBuffersPerShaderStage`, all inputs share one `array<u32>`
 * binding and are addressed by word offsets from the `params` uniform.
 */
export function allocateBindings(
  kernel: Kernel,
  profile: DeviceProfile,
  inputAccess: InputAccess,
): TensorBindingLayout {
  const limits = profile.limits;
  const names = new Set<string>();
  const unique = (base: string): string => {
    let name = base;
    for (let suffix = 2; names.has(name); suffix++) name = `${base}_${suffix}`;
    names.add(name);
    return name;
  };
  for (const node of [...kernel.inputs, ...kernel.outputs]) {
    requireStorableDType(node.dtype, profile.shaderF16, tensorLabel(node));
    checkSize(node, maxTensorBytes(node), limits.maxStorageBufferBindingSize);
  }
  const pack = kernel.inputs.length + kernel.outputs.length > limits.maxStorageBuffersPerShaderStage;
  if (pack && kernel.outputs.length + 1 > limits.maxStorageBuffersPerShaderStage) {
    throw new UnsupportedError(
      `kernel ${kernel.id} writes more tensors than the device has storage bindings`,
      {
        expected: `at most ${limits.maxStorageBuffersPerShaderStage - 1} outputs`,
        actual: kernel.outputs.length,
      },
    );
  }
  const slots = new Map<Node, TensorSlot>();
  const storage: StorageBinding[] = [];
  if (pack && kernel.inputs.length > 0) {
    const alignment = limits.minStorageBufferOffsetAlignment;
    const packedBytes = kernel.inputs.reduce(
      (total, node) => total + alignUp(maxTensorBytes(node), alignment),
      0,
    );
    if (packedBytes > limits.maxStorageBufferBindingSize) {
      throw new UnsupportedError(
        `kernel ${kernel.id}: its packed inputs exceed the device's maximum storage binding size`,
        {
          expected: `<= ${limits.maxStorageBufferBindingSize} bytes`,
          actual: `${packedBytes} bytes`,
        },
      );
    }
    names.add(PACKED_BINDING_NAME);
    storage.push({
      binding: 0,
      name: PACKED_BINDING_NAME,
      access: packedBindingAccess(inputAccess),
      elementType: 'u32',
      tensors: kernel.inputs,
    });
    for (const node of kernel.inputs) {
      slots.set(node, {
        node,
        binding: 0,
        name: PACKED_BINDING_NAME,
        offsetField: unique(`offset_${tensorLabel(node)}`),
      });
    }
  } else {
    kernel.inputs.forEach((node, position) => {
      const name = unique(`in_${tensorLabel(node)}`);
      storage.push({
        binding: position,
        name,
        access: inputBindingAccess(node, inputAccess),
        elementType: storageType(node.dtype),
        tensors: [node],
      });
      slots.set(node, { node, binding: position, name });
    });
  }
  for (const node of kernel.outputs) {
    const binding = storage.length;
    const name = unique(`out_${tensorLabel(node)}`);
    storage.push({
      binding,
      name,
      access: 'read_write',
      elementType: storageType(node.dtype),
      tensors: [node],
    });
    slots.set(node, { node, binding, name });
  }
  return { slots, storage };
}

/** WGSL text loading element `flat` (an i32 expression) of `slot`'s tensor as a value of its dtype. */
export function loadText(slot: TensorSlot, flat: string): string {
  const dtype = slot.node.dtype;
  if (slot.offsetField === undefined) {
    const element = `${slot.name}[${flat}]`;
    return dtype === 'bool' ? `(${element} != 0u)` : element;
  }
  const offset = `params.${slot.offsetField}`;
  if (dtype === 'f16') {
    return `bitcast<vec2<f16>>(${slot.name}[${offset} + u32(${flat}) / 2u])[u32(${flat}) % 2u]`;
  }
  const word = `${slot.name}[${offset} + u32(${flat})]`;
  return packedWordAs(word, dtype);
}

/** WGSL statement storing `value` at element `flat` of `slot`'s tensor. */
export function storeText(slot: TensorSlot, flat: string, value: string): string {
  const stored = slot.node.dtype === 'bool' ? `select(0u, 1u, ${value})` : value;
  return `${slot.name}[${flat}] = ${stored};`;
}

/** A short identifier for a tensor: its user name for inputs and parameters, else op and hash. */
export function tensorLabel(node: Node): string {
  const name = node.attrs.name;
  if ((node.op === 'input' || node.op === 'param') && typeof name === 'string')
    return sanitizeIdentifier(name);
  return sanitizeIdentifier(`${node.op}_${node.hash.slice(0, 6)}`);
}

/** Bytes a tensor occupies at its dims' maxima. */
export function maxTensorBytes(node: Node): number {
  return maxElementCount(node.shape) * byteSize(node.dtype);
}

function packedWordAs(word: string, dtype: DType): string {
  switch (dtype) {
    case 'u32':
      return word;
    case 'bool':
      return `(${word} != 0u)`;
    default:
      return `bitcast<${dtype}>(${word})`;
  }
}

function checkSize(node: Node, bytes: number, limit: number): void {
  if (bytes > limit) {
    throw new UnsupportedError("tensor exceeds the device's maximum storage binding size", {
      tensor: tensorLabel(node),
      expected: `<= ${limit} bytes`,
      actual: `${bytes} bytes (shape ${formatShape(node.shape)}, ${node.dtype})`,
    });
  }
  if (maxElementCount(node.shape) > 2 ** 31 - 1) {
    throw new UnsupportedError('tensor has more elements than 32-bit indexing reaches', {
      tensor: tensorLabel(node),
      expected: `< ${2 ** 31} elements`,
      actual: maxElementCount(node.shape),
    });
  }
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}
