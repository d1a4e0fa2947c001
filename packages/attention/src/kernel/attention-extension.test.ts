import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ir from '@weft/ir';
import {
  type Graph,
  GraphError,
  graphFromJSON,
  graphToJSON,
  input,
  makeGraph,
  runPipeline,
  UnsupportedError,
} from '@weft/ir';
import { expectClose, randomTensor } from '@weft/ir/test';
import * as wgsl from '@weft/wgsl';
import { DEFAULT_DEVICE_PROFILE, generateProgram, type KernelExtension } from '@weft/wgsl';
import { describe, expect, it } from 'vitest';
import { applyAttention, attention, causal } from '../index.js';
import { attention as attentionKernels } from '../kernels.js';
import { attentionOp } from '../op/attention-op.js';

/** What `compile` generates for a GPU (`generateGraphKernels` of `@weft/runtime`). */
function generate(graph: Graph, extensions?: readonly KernelExtension[]) {
  const { plan } = runPipeline(graph);
  return generateProgram(plan, DEFAULT_DEVICE_PROFILE, {
    inputAccess: 'arena',
    ...(extensions === undefined ? {} : { extensions }),
  });
}

function attentionGraph() {
  const spec = attention({ name: 'layers.0.attn', heads: 2, headDim: 4, mask: causal() });
  const [query, key, value] = ['q', 'k', 'v'].map((name) => input(`extension.${name}`, [1, 2, 5, 4]));
  return makeGraph({ output: applyAttention(spec, { query: query!, key: key!, value: value! }).output });
}

describe('the attention extension', () => {
  it('is what code generation needs for attention kernels, and the error without it says so', () => {
    const graph = attentionGraph();
    expect(() => generate(graph)).toThrow(UnsupportedError);
    expect(() => generate(graph)).toThrow(
      /no WGSL template for op "attention" of kernel \d+ "layers\.0\.attn · attention \(causal.*\)": pass `extensions: \[attention\]`, with `attention` from '@weft\/attention\/kernels'/,
    );
    const kernels = generate(graph, [attentionKernels]);
    expect(kernels.map((kernel) => kernel.kernel.anchor.op)).toContain('attention');
  });

  it('is not needed by the interpreter (the CPU backend), which evaluates the op through the node', () => {
    const graph = attentionGraph();
    const inputs = Object.fromEntries(
      ['q', 'k', 'v'].map((name, i) => [`extension.${name}`, randomTensor([1, 2, 5, 4], { seed: i + 1 })]),
    );
    const decomposed = ir.interpret(ir.decomposeExtensionOps(graph), { inputs }).output!;
    expectClose(ir.interpret(graph, { inputs }).output!, decomposed, { rtol: 1e-12, atol: 1e-12 });
  });

  it('lets graphFromJSON rebuild attention nodes, which fail clearly without it', () => {
    const graph = attentionGraph();
    const json = JSON.stringify(graphToJSON(graph));
    const rebuilt = graphFromJSON(json, { extensions: [attentionKernels] });
    expect(rebuilt.outputs.output).toBe(graph.outputs.output);
    expect(rebuilt.outputs.output!.def).toBe(attentionOp);
    expect(() => graphFromJSON(json)).toThrow(GraphError);
    expect(() => graphFromJSON(json)).toThrow(
      /unknown op "attention": pass `extensions: \[attention\]`, with `attention` from '@weft\/attention\/kernels' \(no extensions were given\)/,
    );
  });

  it('resolves the attention op from its name and attributes', () => {
    const node = attentionGraph().outputs.output!;
    expect(attentionKernels.resolveOp?.('attention', node.attrs)).toBe(attentionOp);
    expect(attentionKernels.resolveOp?.('matmul', {})).toBeUndefined();
    expect(attentionKernels.templates?.attention).toBeTypeOf('function');
  });
});

describe('no module changes shared state when it loads', () => {
  it('the op table and template registry functions are gone', () => {
    for (const name of ['registerOp', 'getOp', 'hasOp', 'listOps', 'registerBuiltinOps'])
      expect(Object.hasOwn(ir, name), name).toBe(false);
    expect(Object.hasOwn(wgsl, 'registerTemplate')).toBe(false);
    expect(Object.isFrozen(ir.BUILTIN_OPS)).toBe(true);
    expect(ir.BUILTIN_OPS.map((def) => def.name)).not.toContain('attention');
  });

  it('the spec entry reaches neither the code generator nor the kernel modules', () => {
    const source = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    const seen = new Set<string>();
    const offending: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*['"]([^'"]+)['"]/g)) {
        const target = match[1]!;
        if (target.startsWith('@weft/wgsl'))
          offending.push(`${path.relative(source, file)} imports ${target}`);
        if (!target.startsWith('.')) continue;
        const resolved = path.resolve(path.dirname(file), target.replace(/\.js$/, '.ts'));
        if (path.relative(source, resolved).startsWith('kernel'))
          offending.push(`${path.relative(source, file)} imports ${target}`);
        visit(resolved);
      }
    };
    visit(path.join(source, 'index.ts'));
    expect(seen.size).toBeGreaterThan(20);
    expect(offending).toEqual([]);
  });
});
