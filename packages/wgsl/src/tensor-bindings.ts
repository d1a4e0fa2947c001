import {
  byteSize,
  type DType,
  formatShape,
  isNamedSource,
  type Kernel,
  labelOf,
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
  for (const node of [...kernel.inputs, ...kernel.outputs]) {
    requireStorableDType(node.dtype, profile.shaderF16, tensorDescription(node));
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
  const names = bindingNames(kernel, pack);
  const bindingName = (node: Node): string => names.get(node)!;
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
        offsetField: bindingName(node),
      });
    }
  } else {
    kernel.inputs.forEach((node, position) => {
      const name = bindingName(node);
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
    const name = bindingName(node);
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

/**
 * The WGSL names of a kernel's tensors: `in_` (inputs), `offset_` (packed inputs' `params` fields)
 * or `out_` (outputs), then the sanitized user name. Names are given in priority order, so a
 * clash never renames an input or parameter: first the tensors the user named (inputs and
 * parameters), then labelled intermediates, then the unlabelled ones, which are numbered by op
 * per kernel (`out_matmul_1`, `in_literal_2`). Clashes
 * (names equal after sanitizing, `a.b` and `a_b`) get `_2`, `_3`, ... in binding order.
 */
function bindingNames(kernel: Kernel, pack: boolean): Map<Node, string> {
  const taken = new Set<string>(pack ? [PACKED_BINDING_NAME] : []);
  const names = new Map<Node, string>();
  const tensors = [...kernel.inputs, ...kernel.outputs];
  const outputs = new Set(kernel.outputs);
  const prefix = (node: Node) => (outputs.has(node) ? 'out' : pack ? 'offset' : 'in');
  const assign = (node: Node, label: string) => {
    // Always prefixed, so a keyword's escape (`fn_`) is not needed: `in_fn`, then `in_fn_2`.
    const base = label.replace(/_+$/, '');
    let name = `${prefix(node)}_${base}`;
    for (let suffix = 2; taken.has(name); suffix++) name = `${prefix(node)}_${base}_${suffix}`;
    taken.add(name);
    names.set(node, name);
  };
  for (const node of tensors) if (isNamedSource(node)) assign(node, tensorLabel(node) ?? node.op);
  for (const node of tensors) {
    const label = isNamedSource(node) ? undefined : tensorLabel(node);
    if (label !== undefined) assign(node, label);
  }
  let unnamed = 0;
  for (const node of tensors)
    if (!names.has(node)) assign(node, `${sanitizeIdentifier(node.op)}_${++unnamed}`);
  return names;
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

/**
 * The user's name for a tensor: the name of an input or parameter, else its label (see `withLabel`
 * in `@weft/ir`); `undefined` for an unlabelled intermediate. Raw text: sanitize before printing it
 * into WGSL.
 *
 * @example
 * ```ts
 * tensorUserName(param('layers.0.attn.wqkv', [32, 64])); // 'layers.0.attn.wqkv'
 * ```
 */
export function tensorUserName(node: Node): string | undefined {
  const name = node.attrs.name;
  if (isNamedSource(node) && typeof name === 'string') return name;
  return labelOf(node);
}

/**
 * A WGSL identifier fragment naming a tensor: its user name ({@link tensorUserName}) sanitized,
 * or `undefined` for an unlabelled intermediate (binding names then number it by op per kernel:
 * `out_matmul_1`). Never a hash.
 *
 * @example
 * ```ts
 * tensorLabel(withLabel('layers.0.attn.q', () => permute(x, [0, 2, 1, 3]))); // 'layers_0_attn_q'
 * ```
 */
export function tensorLabel(node: Node): string | undefined {
  const name = tensorUserName(node);
  return name === undefined ? undefined : sanitizeIdentifier(name);
}

/**
 * A tensor as error messages name it: its user name ({@link tensorUserName}), or for an
 * unlabelled intermediate its op and type (`matmul f32[1, seq<=32, 64]`). Raw user text: pass it
 * through `sanitizeComment` before printing it into WGSL.
 *
 * @example
 * ```ts
 * tensorDescription(input('x', [2, 3])); // 'x'
 * tensorDescription(matmul(a, b)); // 'matmul f32[2, 4]'
 * ```
 */
export function tensorDescription(node: Node): string {
  return tensorUserName(node) ?? `${node.op} ${node.dtype}${formatShape(node.shape)}`;
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
      tensor: tensorDescription(node),
      expected: `<= ${limit} bytes`,
      actual: `${bytes} bytes (shape ${formatShape(node.shape)}, ${node.dtype})`,
    });
  }
  if (maxElementCount(node.shape) > 2 ** 31 - 1) {
    throw new UnsupportedError('tensor has more elements than 32-bit indexing reaches', {
      tensor: tensorDescription(node),
      expected: `< ${2 ** 31} elements`,
      actual: maxElementCount(node.shape),
    });
  }
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}
