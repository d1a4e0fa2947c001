import {
  add,
  input,
  type Kernel,
  makeGraph,
  matmul,
  mean,
  mul,
  type Node,
  param,
  rsqrt,
  runPipeline,
  symbolicDim,
  withLabel,
} from '@weft/ir';
import { describe, expect, test } from 'vitest';
import { makeKernel } from '../../test/kernel-fixtures.js';
import { generateKernel, generateProgram } from '../generate-kernel.js';
import { DEFAULT_DEVICE_PROFILE, type GeneratedKernel } from '../generated-kernel.js';
import { kernelStructure, nameSignature } from './kernel-structure.js';
import { SharedKernelRenderer } from './shared-kernels.js';

const seq = symbolicDim('seq', { max: 32 });
const SOFTWARE = { ...DEFAULT_DEVICE_PROFILE, software: true };

/** A pre-norm MLP layer: RMSNorm (epsilon `eps`) → matmul → gelu-free residual add. */
function layer(h: Node, index: number, options: { eps?: number; width?: number } = {}): Node {
  const width = options.width ?? 32;
  return withLabel(`layers.${index}.mlp`, () => {
    const gain = param(`layers.${index}.gain`, [32]);
    const squares = mean(mul(h, h), -1, { keepDims: true });
    const normalized = withLabel(`layers.${index}.norm`, () =>
      mul(mul(h, rsqrt(add(squares, options.eps ?? 1e-6))), gain),
    );
    const up = matmul(normalized, param(`layers.${index}.up`, [32, width]));
    const down = matmul(up, param(`layers.${index}.down`, [width, 32]));
    return withLabel(`layers.${index}.residual`, () => add(h, down));
  });
}

/** Twelve layers (indices of one and two digits); layer 3 has another epsilon, layer 5 another width. */
function stack() {
  let h: Node = input('h', [seq, 32]);
  for (let index = 0; index < 12; index++) {
    h = layer(h, index, { eps: index === 3 ? 1e-5 : 1e-6, width: index === 5 ? 48 : 64 });
  }
  return runPipeline(makeGraph({ y: h }), { fuse: true, alignment: 256 }).plan;
}

function comparable(kernel: GeneratedKernel) {
  const dims = { seq: 7 };
  return {
    kernel: kernel.kernel,
    label: kernel.label,
    block: kernel.block,
    wgsl: kernel.wgsl,
    entryPoint: kernel.entryPoint,
    workgroupSize: kernel.workgroupSize,
    bindings: kernel.bindings,
    workgroups: kernel.workgroups(dims),
    uniforms: [...kernel.uniforms(dims)],
  };
}

describe('generateProgram shares the rendering of kernels that differ only in names', () => {
  for (const profile of [DEFAULT_DEVICE_PROFILE, SOFTWARE]) {
    test(`shared kernels equal their own rendering (${profile.software ? 'software' : 'hardware'})`, () => {
      const plan = stack();
      const shared = generateProgram(plan, profile);
      const alone = plan.kernels.map((kernel) => generateKernel(kernel, profile));
      expect(shared.map(comparable)).toEqual(alone.map(comparable));
      expect(generateProgram(plan, profile, { shareKernels: false }).map(comparable)).toEqual(
        alone.map(comparable),
      );
      // Each kernel names its own layer's tensors.
      for (const kernel of shared) {
        const layers = new Set([...kernel.wgsl.matchAll(/layers_(\d+)_/g)].map((match) => match[1]));
        expect(layers.size, kernel.wgsl).toBeLessThanOrEqual(2);
      }
    });
  }

  test('only kernels of one structure are rendered once', () => {
    const plan = stack();
    const rendered: Kernel[] = [];
    const renderer = new SharedKernelRenderer(DEFAULT_DEVICE_PROFILE, {}, (kernel) => {
      rendered.push(kernel);
      return { generated: generateKernel(kernel, DEFAULT_DEVICE_PROFILE), template: kernel.template };
    });
    for (const kernel of plan.kernels) renderer.generate(kernel);
    expect(rendered.length).toBeLessThan(plan.kernels.length / 2);
    const keysOf = (layer: string) =>
      plan.kernels
        .filter((kernel) => kernel.inputs.some((node) => nameOf(node)?.startsWith(`layers.${layer}.`)))
        .map((kernel) => kernelStructure(kernel).key);
    // Layers 2, 4 and 10 (two digits) share; layer 5 (another width) shares nothing with them,
    // layer 3 (another epsilon) only its kernels that do not read the epsilon.
    expect(keysOf('2')).toEqual(keysOf('4'));
    expect(keysOf('2')).toEqual(keysOf('10'));
    for (const key of keysOf('5')) expect(keysOf('2')).not.toContain(key);
    expect(keysOf('3').filter((key) => !keysOf('2').includes(key)).length).toBeGreaterThan(0);
  });

  test('a name printed other than quoted keeps a kernel from being shared', () => {
    const kernels = [1, 2].map((index) => {
      const x = input('x', [4, 32]);
      const w = param(`layers.${index}.w`, [32, 8]);
      return makeKernel('matmul', [matmul(x, w)], [x, w], { id: index });
    });
    const rendered: Kernel[] = [];
    const renderer = new SharedKernelRenderer(DEFAULT_DEVICE_PROFILE, {}, (kernel) => {
      rendered.push(kernel);
      const generated = generateKernel(kernel, DEFAULT_DEVICE_PROFILE);
      const name = kernel.inputs[1]!.attrs.name as string;
      return {
        generated: { ...generated, wgsl: `${generated.wgsl}// weights ${name}\n` },
        template: 'matmul',
      };
    });
    const [first, second] = kernels.map((kernel) => renderer.generate(kernel));
    expect(rendered).toEqual(kernels);
    expect(first!.wgsl).toContain('// weights layers.1.w');
    expect(second!.wgsl).toContain('// weights layers.2.w');
  });
});

describe('kernels whose names differ in length', () => {
  const matmulKernel = (weights: string, id: number) => {
    const x = input('x', [4, 32]);
    const w = param(weights, [32, 8]);
    return makeKernel('matmul', [matmul(x, w)], [x, w], { id });
  };

  test('layer 9 and layer 10 (and 100) share one rendering, with the text of each rendered alone', () => {
    const kernels = ['layers.9.mlp.w', 'layers.10.mlp.w', 'layers.100.mlp.w'].map(matmulKernel);
    const rendered: Kernel[] = [];
    const renderer = new SharedKernelRenderer(SOFTWARE, {}, (kernel) => {
      rendered.push(kernel);
      return { generated: generateKernel(kernel, SOFTWARE), template: kernel.template };
    });
    const shared = kernels.map((kernel) => renderer.generate(kernel));
    expect(rendered).toEqual([kernels[0]]);
    expect(shared.map(comparable)).toEqual(
      kernels.map((kernel) => comparable(generateKernel(kernel, SOFTWARE))),
    );
  });

  test('a longer name that a comment or an identifier cuts to length is rendered on its own', () => {
    // 'matmul "<name>"' passes 80 characters only with the longer index; the storage variable
    // (40 characters at most) is cut differently too.
    const stem = 'a'.repeat(64 - 'layers.9.'.length);
    const kernels = [`layers.9.${stem}`, `layers.10.${stem}`].map(matmulKernel);
    const rendered: Kernel[] = [];
    const renderer = new SharedKernelRenderer(SOFTWARE, {}, (kernel) => {
      rendered.push(kernel);
      return { generated: generateKernel(kernel, SOFTWARE), template: kernel.template };
    });
    const shared = kernels.map((kernel) => renderer.generate(kernel));
    expect(shared.map(comparable)).toEqual(
      kernels.map((kernel) => comparable(generateKernel(kernel, SOFTWARE))),
    );
    expect(rendered.length).toBe(2);
  });
});

describe('kernelStructure', () => {
  const matmulOf = (weights: string, options: { columns?: number; id?: number } = {}) => {
    const x = input('x', [4, 32]);
    const w = param(weights, [32, options.columns ?? 8]);
    return makeKernel('matmul', [matmul(x, w)], [x, w], { id: options.id ?? 0 });
  };

  test('names compare with each all-digit segment masked, whatever its length', () => {
    const key = (weights: string) => kernelStructure(matmulOf(weights)).key;
    expect(key('layers.1.w')).toBe(key('layers.7.w'));
    expect(key('layers.9.w')).toBe(key('layers.10.w'));
    expect(key('layers.9.w')).toBe(key('layers.123.w'));
    expect(key('layers.1.w')).not.toBe(key('layers.1.v'));
    expect(key('a1.w')).not.toBe(key('a2.w'));
    expect(key('layers.1.w')).not.toBe(key('layers.1.2.w'));
    expect(nameSignature('layers.12.attn.q')).toBe('layers.#.attn.q');
    expect(nameSignature('x3.b.0')).toBe('x3.b.#');
  });

  test('shapes and kernel ids: shapes are structure, ids are not', () => {
    expect(kernelStructure(matmulOf('w.1', { id: 3 })).key).toBe(
      kernelStructure(matmulOf('w.2', { id: 9 })).key,
    );
    expect(kernelStructure(matmulOf('w.1', { columns: 8 })).key).not.toBe(
      kernelStructure(matmulOf('w.2', { columns: 16 })).key,
    );
  });

  test('symbolic dims are structure by name and maximum; a schedule value that may change is read anew', () => {
    const kernelOf = (dim: ReturnType<typeof symbolicDim>) => {
      const x = input('x', [dim, 32]);
      const w = param('w.1', [32, 8]);
      return makeKernel('matmul', [matmul(x, w)], [x, w]);
    };
    const key = (dim: ReturnType<typeof symbolicDim>) => kernelStructure(kernelOf(dim)).key;
    // The text of a frozen dim is kept after its first use: later keys must still tell dims apart.
    expect(key(seq)).toBe(key(seq));
    expect(key(seq)).toBe(key(symbolicDim('seq', { max: 32 })));
    expect(key(seq)).not.toBe(key(symbolicDim('seq', { max: 64 })));
    expect(key(seq)).not.toBe(key(symbolicDim('len', { max: 32 })));
    const mutable = { rows: [1, 2] };
    const kernel = {
      ...kernelOf(seq),
      schedule: { ...kernelOf(seq).schedule, extra: mutable },
    } as unknown as Kernel;
    const before = kernelStructure(kernel).key;
    mutable.rows.push(3);
    expect(kernelStructure(kernel).key).not.toBe(before);
  });
});

function nameOf(node: Node): string | undefined {
  return typeof node.attrs.name === 'string' ? node.attrs.name : undefined;
}
