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
  /**
   * How an f32 tensor under f16 storage is held (absent: as its dtype): `f16`, an `array<f16>`
   * (precision `f16`); `packed`, two f16 values per `u32` word (`pack2x16float`, precision
   * `f16-emulated`), written through atomics so the two halves of a word can be stored by different
   * invocations.
   */
  readonly half?: HalfStorage;
  /** Whether the binding is an `array<atomic<u32>>` (an output under `packed` f16 storage). */
  readonly atomic?: true;
}

/** See {@link TensorSlot.half}. */
export type HalfStorage = 'f16' | 'packed';

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
  /** WGSL element type (`u32` for packed inputs and bools; `f16`, `u32` or `atomic<u32>` under f16 storage). */
  readonly elementType: string;
  /** The tensors it holds, in order (several only when packed). */
  readonly tensors: readonly Node[];
}

/** Name of the one binding that holds packed inputs. */
export const PACKED_BINDING_NAME = 'packed_inputs';

/**
 * Assigns bindings: inputs first (access per `inputAccess`), then outputs (read_write). When the kernel needs more
 * storage bindings than `maxStorageBuffersPerShaderStage`, all inputs share one `array<u32>`
 * binding and are addressed by word offsets from the `params` uniform. `bound` limits the inputs
 * bound to those the kernel's body reads (default: every input; see `bound-inputs.ts`).
 */
export function allocateBindings(
  kernel: Kernel,
  profile: DeviceProfile,
  inputAccess: InputAccess,
  halfStored: ReadonlySet<Node> = new Set(),
  bound?: ReadonlySet<Node>,
): TensorBindingLayout {
  const limits = profile.limits;
  const inputs = bound === undefined ? kernel.inputs : kernel.inputs.filter((node) => bound.has(node));
  const halfOf = (node: Node): HalfStorage | undefined =>
    halfStored.has(node) ? halfStorageOf(profile) : undefined;
  for (const node of [...inputs, ...kernel.outputs]) {
    requireStorableDType(node.dtype, profile.shaderF16, tensorDescription(node));
    checkSize(node, maxTensorBytes(node), limits.maxStorageBufferBindingSize);
  }
  const pack = inputs.length + kernel.outputs.length > limits.maxStorageBuffersPerShaderStage;
  if (pack && kernel.outputs.length + 1 > limits.maxStorageBuffersPerShaderStage) {
    throw new UnsupportedError(
      `kernel ${kernel.id} writes more tensors than the device has storage bindings`,
      {
        expected: `at most ${limits.maxStorageBuffersPerShaderStage - 1} outputs`,
        actual: kernel.outputs.length,
      },
    );
  }
  const names = bindingNames(inputs, kernel.outputs, pack);
  const bindingName = (node: Node): string => names.get(node)!;
  const slots = new Map<Node, TensorSlot>();
  const storage: StorageBinding[] = [];
  if (pack && inputs.length > 0) {
    const alignment = limits.minStorageBufferOffsetAlignment;
    const packedBytes = inputs.reduce((total, node) => total + alignUp(maxTensorBytes(node), alignment), 0);
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
      tensors: inputs,
    });
    for (const node of inputs) {
      const half = halfOf(node);
      slots.set(node, {
        node,
        binding: 0,
        name: PACKED_BINDING_NAME,
        offsetField: bindingName(node),
        ...(half === undefined ? {} : { half }),
      });
    }
  } else {
    inputs.forEach((node, position) => {
      const name = bindingName(node);
      const half = halfOf(node);
      storage.push({
        binding: position,
        name,
        access: inputBindingAccess(node, inputAccess),
        elementType: half === undefined ? storageType(node.dtype) : half === 'f16' ? 'f16' : 'u32',
        tensors: [node],
      });
      slots.set(node, { node, binding: position, name, ...(half === undefined ? {} : { half }) });
    });
  }
  for (const node of kernel.outputs) {
    const binding = storage.length;
    const name = bindingName(node);
    const half = halfOf(node);
    storage.push({
      binding,
      name,
      access: 'read_write',
      elementType: half === undefined ? storageType(node.dtype) : half === 'f16' ? 'f16' : 'atomic<u32>',
      tensors: [node],
    });
    slots.set(node, {
      node,
      binding,
      name,
      ...(half === undefined ? {} : { half }),
      ...(half === 'packed' ? { atomic: true as const } : {}),
    });
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
function bindingNames(
  inputs: readonly Node[],
  kernelOutputs: readonly Node[],
  pack: boolean,
): Map<Node, string> {
  const taken = new Set<string>(pack ? [PACKED_BINDING_NAME] : []);
  const names = new Map<Node, string>();
  const tensors = [...inputs, ...kernelOutputs];
  const outputs = new Set(kernelOutputs);
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

/**
 * How `profile` holds f16-stored tensors: `array<f16>` with precision `f16`, packed `u32` words
 * with `f16-emulated` (core WGSL, so the layout runs and is tested on any device).
 * @throws UnsupportedError at precision `f32`, which has no f16 storage.
 */
export function halfStorageOf(profile: DeviceProfile): HalfStorage {
  if (profile.precision === 'f16') return 'f16';
  if (profile.precision === 'f16-emulated') return 'packed';
  throw new UnsupportedError('f16 storage needs precision f16 or f16-emulated', {
    expected: "precision 'f16' or 'f16-emulated'",
    actual: profile.precision ?? 'f32',
  });
}

/**
 * WGSL text loading element `flat` (an i32 expression) of `slot`'s tensor as a value of its dtype;
 * under f16 storage ({@link TensorSlot.half}), an `f16` value (`f16`) or the f16 value as an `f32`
 * (`packed`).
 */
export function loadText(slot: TensorSlot, flat: string): string {
  const dtype = slot.node.dtype;
  if (slot.half !== undefined) return halfLoadText(slot, flat);
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

/**
 * WGSL statement storing `value` at element `flat` of `slot`'s tensor. Under f16 storage `value` is
 * an `f16` (`f16`) or an `f32` already rounded to f16 (`packed`: its half of the word is cleared and
 * set with two atomics, as the word's other half may be written by another invocation at the same time).
 */
export function storeText(slot: TensorSlot, flat: string, value: string): string {
  if (slot.half === 'packed') return `${halfFunctionName(slot, 'store')}(${flat}, ${value});`;
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

function halfLoadText(slot: TensorSlot, flat: string): string {
  const index = `u32(${flat}) / 2u`;
  if (slot.offsetField !== undefined) {
    const word = `${slot.name}[params.${slot.offsetField} + ${index}]`;
    return slot.half === 'f16'
      ? `bitcast<vec2<f16>>(${word})[u32(${flat}) % 2u]`
      : `unpack2x16float(${word})[u32(${flat}) % 2u]`;
  }
  if (slot.half === 'f16') return `${slot.name}[${flat}]`;
  return `${halfFunctionName(slot, 'load')}(${flat})`;
}

/**
 * The module function that loads (`load`) or stores (`store`) one element of a tensor held in
 * `packed` f16 storage in its own binding, named by binding number (so a kernel shared between
 * tensors of other names keeps it); {@link halfStorageFunction} declares it.
 */
export function halfFunctionName(slot: TensorSlot, kind: 'load' | 'store'): string {
  return `weft_${kind}_half_${slot.binding}`;
}

/**
 * The declaration of {@link halfFunctionName}: a load unpacks the element's half of its word
 * (`atomicLoad` from a kernel's own output); a store clears the element's half with `atomicAnd`,
 * then sets it with `atomicOr`, since the other half of the word may belong to an element another
 * invocation stores at the same time. `value` is already rounded to f16 (`to_half`).
 */
export function halfStorageFunction(slot: TensorSlot, kind: 'load' | 'store'): string {
  const name = halfFunctionName(slot, kind);
  if (kind === 'load') {
    const word =
      slot.atomic === true ? `atomicLoad(&${slot.name}[u32(flat) / 2u])` : `${slot.name}[u32(flat) / 2u]`;
    return `fn ${name}(flat: i32) -> f32 {\n  return unpack2x16float(${word})[u32(flat) % 2u];\n}`;
  }
  return [
    `fn ${name}(flat: i32, value: f32) {`,
    '  let word = u32(flat) / 2u;',
    '  let shift = (u32(flat) % 2u) * 16u;',
    `  atomicAnd(&${slot.name}[word], ~(0xffffu << shift));`,
    `  atomicOr(&${slot.name}[word], (pack2x16float(vec2<f32>(value, 0.0)) & 0xffffu) << shift);`,
    '}',
  ].join('\n');
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
