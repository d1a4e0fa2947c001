import { type Attrs, canonicalAttrs, Expr, isNamedSource, type Kernel, Node } from '@weft/ir';
import { tensorUserName } from '../tensor-bindings.js';

/**
 * A kernel described without its names: {@link KernelStructure.key} is equal for two kernels that
 * differ only in the user names of their tensors (the same layer of a decoder, `layers.0.…` and
 * `layers.1.…`), where each name may differ only in its all-digit `.` segments (`layers.3.attn`,
 * `layers.7.attn` and `layers.12.attn`; templates count such a segment as one character when they
 * break lines, see `layoutLength`). Everything else a template can read — ops, attributes, shapes,
 * dtypes, operand wiring, inputs and outputs in order, the anchor, the template and the schedule —
 * is in the key.
 */
export interface KernelStructure {
  /** Equal for kernels that render to the same WGSL up to their names. */
  readonly key: string;
  /** The kernel's tensors in a fixed order: inputs, then computed nodes; equal keys align them. */
  readonly nodes: readonly Node[];
  /**
   * The names the key compares by signature, aligned between kernels of one key: each tensor's user
   * name (`undefined` when it has none), then the `block` attribute of each node that has one.
   */
  readonly names: readonly (string | undefined)[];
}

/** The structure of `kernel` (see {@link KernelStructure}). */
export function kernelStructure(kernel: Kernel): KernelStructure {
  const local = new Map<Node, number>();
  const nodes: Node[] = [];
  for (const node of [...kernel.inputs, ...kernel.nodes]) {
    if (local.has(node)) continue;
    local.set(node, nodes.length);
    nodes.push(node);
  }
  const ref = (node: Node): string => {
    const index = local.get(node);
    // A tensor outside the kernel is one node shared by both kernels only if its hash is equal.
    return index === undefined ? `ext:${node.hash}` : `#${index}`;
  };
  const inputs = new Set(kernel.inputs);
  const names: (string | undefined)[] = nodes.map(tensorUserName);
  const described = nodes.map((node) => {
    const operands = inputs.has(node) ? '' : node.inputs.map(ref).join(',');
    const attrs = structureAttrs(node);
    const block = node.attrs.block;
    if (typeof block === 'string') names.push(block);
    const blockName = typeof block === 'string' ? `block ${names.length - 1}` : '';
    return `${node.op}(${operands}){${canonicalAttrs(attrs)}}${blockName}:${node.dtype}${shapeText(node.shape, ref)}`;
  });
  const key = [
    kernel.template,
    `anchor ${ref(kernel.anchor)}`,
    `inputs ${kernel.inputs.map(ref).join(',')}`,
    `outputs ${kernel.outputs.map(ref).join(',')}`,
    `nodes ${kernel.nodes.map(ref).join(',')}`,
    ...described,
    `names ${names.map((name) => (name === undefined ? 'null' : JSON.stringify(nameSignature(name)))).join(',')}`,
    `same names ${sameNamePartition(names)}`,
    `schedule ${canonical(kernel.schedule, ref)}`,
  ].join('\n');
  return { key, nodes, names };
}

/**
 * A user name with each all-digit `.` segment replaced by one `#` (`layers.12.attn` →
 * `layers.#.attn`); `undefined` for an unnamed tensor. Templates make their length decisions on
 * lengths that count such a segment as one character (`layoutLength`), and the digits are never an
 * identifier of their own, so neither line breaks nor the text analyses of the templates (unused
 * `let`s) can tell names of one signature apart. What a name's length still decides — a comment or
 * identifier cut to length — `SharedKernelRenderer` checks for each kernel.
 */
export function nameSignature(name: string | undefined): string | null {
  if (name === undefined) return null;
  let signature = signatures.get(name);
  if (signature === undefined) {
    if (signatures.size >= 4096) signatures.clear();
    signature = /[0-9]/.test(name) ? name.replace(DIGIT_SEGMENT, '#') : name;
    signatures.set(name, signature);
  }
  return signature;
}

/** An all-digit `.` segment. */
const DIGIT_SEGMENT = /(?<![^.])[0-9]+(?![^.])/g;

/** `nameSignature` of recent names: the kernels of a decoder repeat a few hundred names. */
const signatures = new Map<string, string>();

/**
 * The attributes the key prints of a node as they are, without the names it compares by signature:
 * a named source's `name` and a string `block` label.
 */
function structureAttrs(node: Node): Attrs {
  const { name, block } = node.attrs;
  const namedSource = name !== undefined && isNamedSource(node);
  if (!namedSource && typeof block !== 'string') return node.attrs;
  const { name: _name, block: _block, ...rest } = node.attrs;
  return {
    ...rest,
    ...(namedSource || name === undefined ? {} : { name }),
    ...(typeof block === 'string' || block === undefined ? {} : { block }),
  };
}

/** For each name, the index of the first equal one. */
function sameNamePartition(names: readonly (string | undefined)[]): string {
  const first = new Map<string, number>();
  return names
    .map((name, index) => {
      if (name === undefined) return '-';
      if (!first.has(name)) first.set(name, index);
      return String(first.get(name));
    })
    .join(',');
}

/** Canonical text of a shape: a static shape's sizes joined, as `canonical` for the others. */
function shapeText(shape: readonly unknown[], ref: (node: Node) => string): string {
  let text = '';
  for (const [axis, dim] of shape.entries()) {
    if (typeof dim !== 'number') return canonical(shape, ref);
    text += axis === 0 ? String(dim) : `,${dim}`;
  }
  return text;
}

/**
 * Canonical texts of deeply frozen records that hold no node (symbolic dims): one symbolic dim
 * appears in most shapes of a decode step, and such a value's text never changes.
 */
const frozenTexts = new WeakMap<object, string>();
/**
 * What `canonical` has printed so far: nodes (their text depends on `ref`) and values that may
 * change (maps, unfrozen objects). A text whose printing counted neither can be kept.
 */
let unstablePrinted = 0;

/** Canonical text of a schedule value: nodes by `ref`, maps as entry lists, Exprs by their key. */
function canonical(value: unknown, ref: (node: Node) => string): string {
  if (value === undefined) return 'u';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  if (value instanceof Node) {
    unstablePrinted++;
    return ref(value);
  }
  if (value instanceof Expr) return `expr:${value.key}`;
  // Records only: a frozen shape array is one node's own, so keeping its text would not pay.
  const stable = !Array.isArray(value) && !(value instanceof Map) && Object.isFrozen(value);
  if (stable) {
    const known = frozenTexts.get(value);
    if (known !== undefined) return known;
  } else unstablePrinted++;
  const before = unstablePrinted;
  const text = composite(value, ref);
  if (stable && unstablePrinted === before) frozenTexts.set(value, text);
  return text;
}

/** `canonical` of a map, an array or a record. */
function composite(value: object, ref: (node: Node) => string): string {
  if (value instanceof Map) {
    return `map{${[...value].map(([key, entry]) => `${canonical(key, ref)}=>${canonical(entry, ref)}`).join(';')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((entry) => canonical(entry, ref)).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${key}:${canonical(record[key], ref)}`)
    .join(',')}}`;
}
