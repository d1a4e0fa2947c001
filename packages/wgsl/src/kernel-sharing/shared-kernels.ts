import { type Kernel, kernelBlockLabel, kernelTitle, type Node } from '@weft/ir';
import { boundInputsOf } from '../bound-inputs.js';
import type { GenerateOptions } from '../generate-options.js';
import type { DeviceProfile, GeneratedKernel, KernelBinding } from '../generated-kernel.js';
import { kernelHeader } from '../kernel-header.js';
import { sanitizeLabel, sanitizeName } from '../sanitize.js';
import { allocateBindings, type TensorBindingLayout } from '../tensor-bindings.js';
import { type KernelStructure, kernelStructure, nameSignature } from './kernel-structure.js';

/**
 * The first kernel of a structure, rendered, with its module after the header cut into text and
 * slots: `pieces[i]`, then slot `slots[i]`, and so on, then the last piece.
 */
interface RenderedStructure {
  readonly structure: KernelStructure;
  readonly generated: GeneratedKernel;
  readonly layout: TensorBindingLayout;
  /** The template name its header was written with. */
  readonly template: string;
  /** The longest op of the structure (comments print `op "name"`). */
  readonly longestOp: number;
  readonly pieces: readonly string[];
  readonly slots: readonly Slot[];
}

/** Where a kernel's own name goes: a storage variable (by binding) or a quoted name (by index in `names`). */
type Slot = { readonly binding: number } | { readonly name: number };

/**
 * Renders the kernels of one program, each distinct kernel structure once (see `kernelStructure`):
 * a kernel whose structure was rendered before gets that module with its own names — storage
 * variables by binding, quoted tensor and block names in comments — and its own header, bindings
 * and label. The text is the one `render` gives the kernel itself; kernels whose names could not be
 * swapped safely (a name cut to length, a name printed unquoted, packed inputs, binding names of
 * other lengths) are rendered on their own.
 */
export class SharedKernelRenderer {
  private readonly rendered = new Map<string, RenderedStructure | null>();

  constructor(
    private readonly profile: DeviceProfile,
    private readonly options: GenerateOptions,
    /** Renders one kernel, and names the template it used. */
    private readonly render: (kernel: Kernel) => { generated: GeneratedKernel; template: string },
  ) {}

  /** `kernel` rendered to WGSL, from an earlier kernel of its structure when there is one. */
  generate(kernel: Kernel): GeneratedKernel {
    const structure = kernelStructure(kernel);
    const first = this.rendered.get(structure.key);
    if (first !== undefined && first !== null) {
      const shared = this.rename(first, kernel, structure);
      if (shared !== undefined) return shared;
    }
    const { generated, template } = this.render(kernel);
    if (first === undefined) this.rendered.set(structure.key, this.remember(structure, generated, template));
    return generated;
  }

  /** How many kernels of distinct structure were rendered with their names swappable. */
  get structures(): number {
    return [...this.rendered.values()].filter((rendered) => rendered !== null).length;
  }

  /** The first kernel of a structure cut into pieces, or `null` when its names cannot be swapped. */
  private remember(
    structure: KernelStructure,
    generated: GeneratedKernel,
    template: string,
  ): RenderedStructure | null {
    const longestOp = Math.max(...structure.nodes.map((node) => node.op.length));
    if (!structure.names.every((name) => nameSurvivesIntact(name, longestOp))) return null;
    const kernel = generated.kernel;
    const layout = allocateBindings(
      kernel,
      this.profile,
      this.options.inputAccess ?? 'read',
      this.options.halfStored,
      boundInputsOf(generated),
    );
    if ([...layout.slots.values()].some((slot) => slot.offsetField !== undefined)) return null;
    for (const name of new Set([kernel.template, template])) {
      const header = `${kernelHeader(kernel, layout, name)}\n\n`;
      if (!generated.wgsl.startsWith(header)) continue;
      const cut = cutAtNames(generated.wgsl.slice(header.length), structure, layout);
      return cut === undefined ? null : { structure, generated, layout, template: name, longestOp, ...cut };
    }
    return null;
  }

  private rename(
    first: RenderedStructure,
    kernel: Kernel,
    structure: KernelStructure,
  ): GeneratedKernel | undefined {
    const tensors = new Map<Node, Node>();
    for (const [index, node] of structure.nodes.entries()) tensors.set(first.structure.nodes[index]!, node);
    // The first kernel's unread inputs are unread here too: the structure fixes the body.
    const bound = new Set([...boundInputsOf(first.generated)].map((input) => tensors.get(input)!));
    const layout = allocateBindings(
      kernel,
      this.profile,
      this.options.inputAccess ?? 'read',
      this.options.halfStored,
      bound,
    );
    if (layout.storage.length !== first.layout.storage.length) return undefined;
    // A longer name may be cut in a comment where the first kernel's was not.
    if (!structure.names.every((name) => nameSurvivesIntact(name, first.longestOp))) return undefined;
    for (const [binding, storage] of layout.storage.entries()) {
      const before = first.layout.storage[binding]!;
      // Names equal but for their layer indices break lines alike (see `layoutLength`); a name cut
      // to the identifier length, or made unique by a suffix, differs here.
      if (identifierSignature(before.name) !== identifierSignature(storage.name)) return undefined;
      if (before.access !== storage.access) return undefined;
      // f16 storage changes how the tensor is read and written (a graph output stays f32).
      if (before.elementType !== storage.elementType) return undefined;
    }
    const parts: string[] = [kernelHeader(kernel, layout, first.template), '\n\n'];
    first.slots.forEach((slot, index) => {
      parts.push(first.pieces[index]!);
      parts.push(
        'binding' in slot
          ? layout.storage[slot.binding]!.name
          : `"${sanitizeName(structure.names[slot.name]!)}"`,
      );
    });
    parts.push(first.pieces[first.slots.length]!);
    const block = kernelBlockLabel(kernel);
    const generated = first.generated;
    return {
      kernel,
      label: sanitizeLabel(kernelTitle(kernel)),
      ...(block === undefined ? {} : { block }),
      wgsl: parts.join(''),
      entryPoint: generated.entryPoint,
      workgroupSize: generated.workgroupSize,
      bindings: generated.bindings.map(
        (binding): KernelBinding =>
          binding.kind === 'storage'
            ? { ...binding, tensors: binding.tensors.map((tensor) => tensors.get(tensor)!) }
            : binding,
      ),
      // Dispatch size and uniforms depend on shapes and dims only, which the structure fixes
      // (kernels with packed inputs, whose uniforms hold tensor offsets, are not shared).
      workgroups: (dims) => generated.workgroups(dims),
      uniforms: (dims) => generated.uniforms(dims),
    };
  }
}

/**
 * Cuts a module body at its storage variables and its quoted names, or `undefined` when a name that
 * may differ between kernels of the structure (one with an all-digit segment) or its storage
 * variable appears in it other than as such a slot: it could not be replaced.
 */
function cutAtNames(
  body: string,
  structure: KernelStructure,
  layout: TensorBindingLayout,
): { pieces: string[]; slots: Slot[] } | undefined {
  const varying: string[] = [];
  const quotedNames = new Map<string, number>();
  structure.names.forEach((name, index) => {
    if (name === undefined) return;
    const quoted = `"${sanitizeName(name)}"`;
    if (!quotedNames.has(quoted)) quotedNames.set(quoted, index);
    if (nameSignature(name) !== name) varying.push(sanitizeName(name));
  });
  const bindings = new Map(layout.storage.map((storage, binding) => [storage.name, binding]));
  const pieces: string[] = [];
  const slots: Slot[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let from = 0;
  // Quoted texts, and the storage variables as whole identifiers (scanning for these few words is
  // much faster than visiting every identifier).
  const variables = [...bindings.keys()].sort((a, b) => b.length - a.length);
  const tokens = new RegExp(
    variables.length === 0 ? QUOTED : `${QUOTED}|(?<![A-Za-z0-9_])(?:${variables.join('|')})(?![A-Za-z0-9_])`,
    'g',
  );
  body.replace(tokens, (token: string, offset: number) => {
    const slot = token.charCodeAt(0) === QUOTE ? quotedNames.get(token) : bindings.get(token);
    if (slot === undefined) return token;
    pieces.push(body.slice(from, offset));
    slots.push(token.charCodeAt(0) === QUOTE ? { name: slot } : { binding: slot });
    starts.push(offset);
    from = offset + token.length;
    ends.push(from);
    return token;
  });
  pieces.push(body.slice(from));
  // Every occurrence of a varying name must lie inside a slot, or it would keep the first kernel's.
  for (const word of [...varying, ...layout.storage.map((storage) => storage.name)]) {
    for (let at = body.indexOf(word); at >= 0; at = body.indexOf(word, at + 1)) {
      if (!insideSlot(at, word.length, starts, ends)) return undefined;
    }
  }
  return { pieces, slots };
}

/** Whether `[at, at + length)` lies inside one of the tokens `[starts[i], ends[i])` (sorted, disjoint). */
function insideSlot(at: number, length: number, starts: readonly number[], ends: readonly number[]): boolean {
  let low = 0;
  let high = starts.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (starts[middle]! > at) high = middle - 1;
    else if (ends[middle]! < at + length) low = middle + 1;
    else return true;
  }
  return false;
}

/** A storage variable's name with each digit run after `_` as one `#` (`in_layers_12_q` → `in_layers_#_q`). */
function identifierSignature(name: string): string {
  return name.replace(IDENTIFIER_DIGIT_SEGMENT, '#');
}

const IDENTIFIER_DIGIT_SEGMENT = /(?<=_)[0-9]+(?![A-Za-z])/g;

/** A quoted text (comments quote names; WGSL has no strings). */
const QUOTED = '"[^"\\n]*"';
const QUOTE = '"'.charCodeAt(0);

/**
 * Whether the comments print the name whole: `sanitizeName` cuts names over 60 characters, and
 * `sanitizeComment` text over 80 (comments print `op "name"`); a cut name could not be replaced.
 */
function nameSurvivesIntact(name: string | undefined, longestOp: number): boolean {
  if (name === undefined) return true;
  const quoted = sanitizeName(name);
  return quoted.length === name.length && longestOp + quoted.length + 3 <= 80;
}
