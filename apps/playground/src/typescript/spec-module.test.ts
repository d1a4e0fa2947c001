// The TypeScript path of the editor, in Node: transpile with Sucrase, run with the Weft packages as
// the only importable modules, and read what the module exports as a playground document.
import { interpret, SpecError } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../document/default-spec.js';
import { isTypeScriptModule } from '../document/document-language.js';
import { parsePlaygroundDocument } from '../document/playground-document.js';
import { buildInstance } from '../instance/build-instance.js';
import { typescriptDocument } from './spec-document.js';
import { evaluateSpecModule } from './spec-module.js';
import { PLAYGROUND_SPEC_MODULES as modules } from './spec-modules.js';

const load = (source: string) => typescriptDocument(source, modules);

/** The same spec as DEFAULT_SPEC (the page's opening JSON), written with the public API. */
const DEFAULT_AS_TYPESCRIPT = `import { and, attention, causal, rope, slidingWindow } from '@weft/attention';

const window: number = 40;
export default attention({
  heads: 4,
  kvHeads: 2,
  headDim: 16,
  positions: rope(),
  mask: and(causal(), slidingWindow(window)),
});
`;

describe('isTypeScriptModule', () => {
  it('tells a module (a line starting with import or export) from a JSON document', () => {
    expect(isTypeScriptModule(DEFAULT_AS_TYPESCRIPT)).toBe(true);
    expect(isTypeScriptModule('// a spec\nexport default { heads: 2, headDim: 8 };')).toBe(true);
    expect(isTypeScriptModule(DEFAULT_SPEC)).toBe(false);
    expect(isTypeScriptModule('{ "name": "import x" }')).toBe(false);
  });
});

describe('a TypeScript spec module', () => {
  it('builds the graph that the same spec in JSON builds: equal outputs on the float64 interpreter', async () => {
    const document = await load(DEFAULT_AS_TYPESCRIPT);
    expect(document.kind).toBe('attention-spec');
    const fromTypeScript = buildInstance(document);
    const fromJson = buildInstance(parsePlaygroundDocument(DEFAULT_SPEC));
    expect(fromTypeScript.title).toBe(fromJson.title);
    expect(fromTypeScript.tolerance).toBe(fromJson.tolerance);
    const ts = interpret(fromTypeScript.graph, fromTypeScript).output!;
    const json = interpret(fromJson.graph, fromJson).output!;
    expect(ts.shape).toEqual([1, 4, 128, 16]);
    expect(Array.from(ts.data)).toEqual(Array.from(json.data));
    expect(fromTypeScript.weights).toBeDefined();
    expect(fromTypeScript.mask?.queries).toBe(128);
  });

  it('reads a node or a graph as the graph to run, with seeded inputs and parameters', async () => {
    const document = await load(
      "import { input, symbolicDim } from '@weft/ir';\nimport { rmsNorm } from '@weft/norms';\n" +
        "export default rmsNorm(input('x', [2, symbolicDim('tokens', { max: 512 }), 24]));\n",
    );
    expect(document.kind).toBe('graph');
    const instance = buildInstance(document);
    expect(instance.dims).toEqual({ tokens: 32 });
    expect(instance.inputs.x).toHaveLength(2 * 32 * 24);
    expect(Object.keys(instance.params)).toEqual(['rmsNorm.gamma']);
    // RMSNorm of each row with the seeded gain, against the interpreter's output.
    const output = interpret(instance.graph, instance).output!;
    const x = instance.inputs.x!;
    const gain = instance.params['rmsNorm.gamma']!;
    const row = Array.from(x.subarray(24, 48));
    const rms = Math.sqrt(row.reduce((sum, value) => sum + value * value, 0) / 24 + 1e-6);
    row.forEach((value, index) => {
      expect(output.data[24 + index]).toBeCloseTo((value / rms) * gain[index]!, 6);
    });
  });

  it('reads a plain exported object as the JSON documents are read', async () => {
    expect(await load('export default { zoo: "layer-norm" };')).toEqual({ kind: 'zoo', id: 'layer-norm' });
    const attention = await load('export const spec = { heads: 2, headDim: 8, mask: { kind: "causal" } };');
    expect(attention.kind).toBe('attention');
  });

  it('names the line and column of a syntax error', async () => {
    const failure = load(
      "import { attention } from '@weft/attention';\n\nexport default attention({ heads: 4 ];\n",
    );
    await expect(failure).rejects.toThrow(SpecError);
    await expect(failure).rejects.toThrow(/does not parse: Unexpected token.*\(line 3, column 37\)$/);
    // Sucrase lets this one through; the engine refuses it and Acorn finds where.
    const engine = load('const heads = Math.max(4,, 2);\nexport default { heads, headDim: 8 };\n');
    await expect(engine).rejects.toThrow(SpecError);
    await expect(engine).rejects.toThrow(/does not parse: .*\(line 1, column 26\)$/);
  });

  it('passes on a WeftError that the module throws, with its class and message', async () => {
    const failure = load(
      "import { attention } from '@weft/attention';\nexport default attention({ heads: 4, kvHeads: 3, headDim: 16 });\n",
    );
    await expect(failure).rejects.toThrow(SpecError);
    await expect(failure).rejects.toThrow(/kvHeads/);
  });

  it('adds the line to another error that the module throws', async () => {
    const failure = load('const parts: { heads?: number } = {};\n\nexport default parts.heads.toFixed();\n');
    await expect(failure).rejects.toThrow(TypeError);
    await expect(failure).rejects.toThrow(/\(line 3 of the spec\)$/);
  });

  it('names an export that is not a spec, and a module without a spec export', async () => {
    await expect(load('export default 42;')).rejects.toThrow(/export "default" is not a spec.*number 42/s);
    await expect(load('export const heads = 4;\nexport const dim = 8;')).rejects.toThrow(
      /exports no spec.*exports heads, dim/s,
    );
    await expect(load("import { causal } from '@weft/attention';\nexport default causal;")).rejects.toThrow(
      /export "default" is not a spec.*a function \(causal\)/s,
    );
  });

  it('refuses an import the playground does not provide, naming those it does', async () => {
    await expect(
      evaluateSpecModule("import fs from 'node:fs';\nexport default fs;", modules),
    ).rejects.toThrow(/imports "node:fs".*@weft\/attention, @weft\/ir, @weft\/models, @weft\/norms/s);
  });
});
