import {
  type Dim,
  type DimBindings,
  type Expr,
  type Kernel,
  kernelBlockLabel,
  kernelTitle,
  type Node,
  type Shape,
  type StridedView,
  type StrideTerm,
  type SymbolicDim,
  UnsupportedError,
} from '@weft/ir';
import { type BoundInputsOptions, recordInputsLoaded } from './bound-inputs.js';
import { foldWorkgroups } from './dispatch-grid.js';
import { type ExprEnvironment, type RenderedExprs, renderExprs } from './expr-to-wgsl.js';
import type { GenerateOptions } from './generate-options.js';
import type { DeviceProfile, GeneratedKernel, KernelBinding } from './generated-kernel.js';
import { type HalfHooks, halfHooks } from './half-precision.js';
import { kernelHeader } from './kernel-header.js';
import { packUniforms, paramsStruct, type UniformField } from './params-uniform.js';
import { sanitizeComment, sanitizeIdentifier, sanitizeLabel } from './sanitize.js';
import {
  allocateBindings,
  halfFunctionName,
  halfStorageFunction,
  loadText,
  storeText,
  type TensorBindingLayout,
  type TensorSlot,
  tensorDescription,
} from './tensor-bindings.js';
import { HelperSet } from './wgsl-helpers.js';

/** What a template hands over to turn its body into a module. */
export interface EntryPoint {
  /** `@workgroup_size`. */
  readonly workgroupSize: readonly [number, number, number];
  /** Workgroups a run needs, before folding into y/z. */
  workgroupCount(dims: DimBindings): number;
  /**
   * Statements of the entry point, indented by two spaces per level. In scope: `local_index`
   * (u32), `workgroup_index` (u32, the linear workgroup index), and with subgroups
   * `subgroup_size` and `subgroup_lane` (u32).
   */
  readonly body: readonly string[];
  /** Whether the body uses subgroup builtins and functions. */
  readonly subgroups?: boolean;
  /**
   * Whether the body reads `subgroup_id` (this invocation's subgroup in the workgroup) and
   * `subgroup_count` (`num_subgroups`), both u32; implies `subgroups`.
   */
  readonly subgroupIds?: boolean;
  /** Module-scope functions the body calls (complete WGSL declarations), after the helpers. */
  readonly functions?: readonly string[];
}

/**
 * The state of one kernel being generated: its bindings, the `params` fields it uses, helpers,
 * enables and workgroup variables. Templates render their Exprs through it, then call
 * {@link KernelContext.build}.
 */
export class KernelContext {
  /** Storage bindings of the kernel's tensors. */
  readonly layout: TensorBindingLayout;
  /** Helper functions the module needs. */
  readonly helpers = new HelperSet();
  private readonly enables = new Set<string>();
  private readonly usedDims = new Map<string, string>();
  private readonly knownDims = new Map<string, SymbolicDim>();
  private readonly workgroupVariables: string[] = [];
  /** Loads and stores of tensors in packed f16 storage, by function name. */
  private readonly halfFunctions = new Map<string, string>();
  /** The f16 tier's type and rounding hooks for this kernel's precision (plain f32 texts by default). */
  readonly half: HalfHooks;
  /** The kernel inputs the body loads (`bound-inputs.ts` binds only these). */
  private readonly inputsLoaded = new Set<Node>();

  /** @throws UnsupportedError when a tensor does not fit the device (size, dtype, binding count). */
  constructor(
    /** The kernel being generated. */
    readonly kernel: Kernel,
    /** The device it is generated for. */
    readonly profile: DeviceProfile,
    options: GenerateOptions = {},
  ) {
    const { inputAccess = 'read', halfStored, boundInputs } = options as BoundInputsOptions;
    this.layout = allocateBindings(kernel, profile, inputAccess, halfStored, boundInputs);
    this.half = halfHooks(profile.precision ?? 'f32');
    if (this.half.precision === 'f16' && !profile.shaderF16) {
      throw new UnsupportedError('precision f16 needs the shader-f16 feature, which this device lacks', {
        expected: "a device with shader-f16, or precision 'f16-emulated'",
        actual: 'f16',
      });
    }
    for (const extension of this.half.enables) this.enables.add(extension);
    for (const node of [...kernel.nodes, ...kernel.inputs, ...kernel.outputs]) {
      for (const dim of node.shape) if (typeof dim !== 'number') this.knownDims.set(dim.name, dim);
      if (node.dtype === 'f16') this.enables.add('f16');
    }
  }

  /** WGSL text (u32) of symbolic dim `name`'s value for this run, from the `params` uniform. */
  dim(name: string): string {
    let field = this.usedDims.get(name);
    if (field === undefined) {
      // Sanitizing is not injective (`a__b` and `a_b` both give `a_b`), and a suffixed field may
      // equal another dim's plain one (`a_b` + `_2` = `a_b_2`): take the first free suffix.
      const base = `dim_${sanitizeIdentifier(name)}`;
      const taken = new Set(this.usedDims.values());
      field = base;
      for (let suffix = 1; taken.has(field); suffix++) field = `${base}_${suffix}`;
      this.usedDims.set(name, field);
    }
    return `params.${field}`;
  }

  /** The expression environment for `render`: index variables by name, loads of kernel inputs. */
  environment(variables: Readonly<Record<string, string>>, letPrefix: string): ExprEnvironment {
    return {
      helpers: this.helpers,
      letPrefix,
      variable: (name: string) => {
        if (name.startsWith('dim:')) return `i32(${this.dim(name.slice(4))})`;
        const text = variables[name];
        if (text === undefined) {
          throw new UnsupportedError(
            `kernel ${this.kernel.id}: free variable "${sanitizeComment(name)}" has no value in this template`,
            {
              expected: Object.keys(variables).join(', ') || 'no free variables',
              actual: name,
            },
          );
        }
        return text;
      },
      read: (tensor: string, indexTexts: readonly string[]) => {
        const node = /^#\d+$/.test(tensor) ? this.kernel.inputs[Number(tensor.slice(1))] : undefined;
        if (node === undefined || indexTexts.length !== 1) {
          throw new UnsupportedError(
            `kernel ${this.kernel.id}: read of "${sanitizeComment(tensor)}" is not a kernel input`,
            {
              expected: 'reads of kernel inputs only',
              actual: tensor,
            },
          );
        }
        return this.load(node, indexTexts[0]!);
      },
    };
  }

  /** Renders Exprs with `let` bindings named `<letPrefix>0, 1, ...`. */
  render(
    roots: readonly Expr[],
    variables: Readonly<Record<string, string>> = {},
    letPrefix = 'v',
  ): RenderedExprs {
    return renderExprs(roots, this.environment(variables, letPrefix));
  }

  /**
   * WGSL text loading element `flat` (i32 text) of kernel input or output `node`; for a view (see
   * {@link KernelContext.viewOf}), `flat` is an offset in the tensor under it.
   */
  load(node: Node, flat: string): string {
    const slot = this.slot(node);
    if (slot.half === 'packed' && slot.offsetField === undefined) this.useHalfFunction(slot, 'load');
    const text = loadText(slot, flat);
    // f16 storage holds f16 values already: widening is exact, no rounding on the way in.
    if (slot.half !== undefined) return this.half.widen(text);
    return this.roundsStorage(node) ? this.half.widen(this.half.toHalf(text)) : text;
  }

  /** WGSL statement storing `value` at element `flat` of kernel output `node`. */
  store(node: Node, flat: string, value: string): string {
    const slot = this.slot(node);
    if (slot.half === 'packed') this.useHalfFunction(slot, 'store');
    if (slot.half !== undefined) return storeText(slot, flat, this.half.toHalf(value));
    const stored = this.roundsStorage(node) ? this.half.widen(this.half.toHalf(value)) : value;
    return storeText(slot, flat, stored);
  }

  private useHalfFunction(slot: TensorSlot, kind: 'load' | 'store'): void {
    const name = halfFunctionName(slot, kind);
    if (!this.halfFunctions.has(name)) this.halfFunctions.set(name, halfStorageFunction(slot, kind));
  }

  // The f16 tier holds every f32 tensor in f16: its values are rounded where they are loaded and stored.
  private roundsStorage(node: Node): boolean {
    return this.half.precision !== 'f32' && node.dtype === 'f32';
  }

  /**
   * WGSL i32 text of the flat offset of element `coords` (i32 texts, one per axis) of `node`, in
   * the tensor that holds it: row-major in `node` itself, or through the strided view the plan
   * gives the kernel's opaque op for it (an operand read from a packed tensor, a result written
   * into its consumer's layout; `OpaqueSchedule.views`).
   */
  elementOffset(node: Node, coords: readonly string[]): string {
    const view = this.viewOf(node);
    const strides = view?.strides ?? rowMajorTerms(node.shape);
    const terms = [
      ...(view?.offset ?? []).map((term) => this.termText(term)),
      ...coords.flatMap((coord, axis) => {
        const stride = strides[axis]!;
        if (stride.coefficient === 0 || node.shape[axis] === 1 || coord === '0') return [];
        const text = this.termText(stride);
        return [text === '1' ? `${coord}` : `(${coord}) * ${text}`];
      }),
    ];
    return terms.length === 0 ? '0' : terms.join(' + ');
  }

  /** The strided view the kernel reads or writes `node` through, if any. */
  viewOf(node: Node): StridedView | undefined {
    const schedule = this.kernel.schedule;
    return schedule.kind === 'opaque' ? schedule.views.get(node) : undefined;
  }

  private termText(term: StrideTerm): string {
    const factors = term.factors.map((dim) =>
      typeof dim === 'number' ? String(dim) : `i32(${this.dim(dim.name)})`,
    );
    if (term.coefficient !== 1 || factors.length === 0) factors.unshift(String(term.coefficient));
    return factors.join(' * ');
  }

  /** Declares `var<workgroup> name: array<elementType, length>;` (templates check the storage size). */
  workgroupArray(name: string, elementType: string, length: number): void {
    this.workgroupVariables.push(`var<workgroup> ${name}: array<${elementType}, ${length}>;`);
  }

  /** Requires an `enable` directive. */
  enable(extension: string): void {
    this.enables.add(extension);
  }

  /** Assembles the module and the dispatch information. */
  build(template: string, entry: EntryPoint): GeneratedKernel {
    if (entry.subgroups === true || entry.subgroupIds === true) this.enable('subgroups');
    const fields = this.uniformFields();
    const bindings = this.bindingList(fields.length > 0);
    const wgsl = [
      kernelHeader(this.kernel, this.layout, template),
      sectionText([...this.enables].sort().map((extension) => `enable ${extension};`)),
      fields.length > 0 ? paramsStruct(fields.map((field) => field.name)) : '',
      this.half.prelude.join('\n'),
      sectionText(this.bindingDeclarations(fields.length > 0)),
      sectionText(this.workgroupVariables),
      this.helpers.code().join('\n\n'),
      [...this.halfFunctions.values()].join('\n\n'),
      (entry.functions ?? []).join('\n\n'),
      entryText(entry),
    ]
      .filter((section) => section !== '')
      .join('\n\n');
    const kernel = this.kernel;
    const maxPerDimension = this.profile.limits.maxComputeWorkgroupsPerDimension;
    const knownDims = this.knownDims;
    const block = kernelBlockLabel(kernel);
    const generated: GeneratedKernel = {
      kernel,
      label: sanitizeLabel(kernelTitle(kernel)),
      ...(block === undefined ? {} : { block }),
      wgsl: `${wgsl}\n`,
      entryPoint: 'main',
      workgroupSize: [...entry.workgroupSize],
      bindings,
      workgroups: (dims) => foldWorkgroups(entry.workgroupCount(dims), maxPerDimension),
      uniforms: (dims, packedOffsets) => packUniforms(fields, dims, knownDims, packedOffsets),
    };
    recordInputsLoaded(generated, this.inputsLoaded);
    return generated;
  }

  private slot(node: Node) {
    // A view's elements lie in the tensor under it (the caller's offset is already there).
    const tensor = this.viewOf(node)?.base ?? node;
    const slot = this.layout.slots.get(tensor);
    if (slot === undefined) {
      throw new UnsupportedError(
        `kernel ${this.kernel.id} (${kernelTitle(this.kernel)}): tensor is neither an input nor an output`,
        { tensor: tensorDescription(node) },
      );
    }
    if (this.kernel.inputs.includes(tensor)) this.inputsLoaded.add(tensor);
    return slot;
  }

  private uniformFields(): UniformField[] {
    const dims = [...this.usedDims.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([dim, name]): UniformField => ({ name, dim }));
    const offsets = [...this.layout.slots.values()]
      .filter((slot) => slot.offsetField !== undefined)
      .map((slot): UniformField => ({ name: slot.offsetField!, tensor: slot.node }));
    return [...dims, ...offsets];
  }

  private bindingList(withParams: boolean): KernelBinding[] {
    const list: KernelBinding[] = this.layout.storage.map((storage) => ({
      binding: storage.binding,
      kind: 'storage',
      access: storage.access,
      tensors: storage.tensors,
    }));
    if (withParams) list.push({ binding: this.layout.storage.length, kind: 'uniform', name: 'params' });
    return list;
  }

  private bindingDeclarations(withParams: boolean): string[] {
    const lines = this.layout.storage.map(
      (storage) =>
        `@group(0) @binding(${storage.binding}) var<storage, ${storage.access}> ${storage.name}: array<${storage.elementType}>;`,
    );
    if (withParams)
      lines.push(`@group(0) @binding(${this.layout.storage.length}) var<uniform> params: Params;`);
    return lines;
  }
}

function entryText(entry: EntryPoint): string {
  const [x, y, z] = entry.workgroupSize;
  const parameters = [
    '@builtin(local_invocation_index) local_index: u32',
    '@builtin(workgroup_id) workgroup_id: vec3<u32>',
    '@builtin(num_workgroups) workgroup_count: vec3<u32>',
  ];
  if (entry.subgroups === true) {
    parameters.push(
      '@builtin(subgroup_size) subgroup_size: u32',
      '@builtin(subgroup_invocation_id) subgroup_lane: u32',
    );
  }
  if (entry.subgroupIds === true) {
    parameters.push('@builtin(subgroup_id) subgroup_id: u32', '@builtin(num_subgroups) subgroup_count: u32');
  }
  return [
    `@compute @workgroup_size(${x}, ${y}, ${z})`,
    'fn main(',
    ...parameters.map((parameter) => `  ${parameter},`),
    ') {',
    '  let workgroup_index = workgroup_id.x + workgroup_count.x * (workgroup_id.y + workgroup_count.y * workgroup_id.z);',
    ...entry.body.map((line) => (line === '' ? '' : `  ${line}`)),
    '}',
  ].join('\n');
}

function sectionText(lines: readonly string[]): string {
  return lines.join('\n');
}

function rowMajorTerms(shape: Shape): StrideTerm[] {
  const strides: StrideTerm[] = new Array(shape.length);
  let coefficient = 1;
  let factors: Dim[] = [];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = { coefficient, factors };
    const dim = shape[axis]!;
    if (typeof dim === 'number') coefficient *= dim;
    else factors = [...factors, dim];
  }
  return strides;
}
