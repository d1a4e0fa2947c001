import * as attentionApi from '@weft/attention';
import { type AttentionSpec, applyAttention } from '@weft/attention';
import { input } from '@weft/ir';
import { ZOO } from '@weft/zoo';
import { describe, expect, it } from 'vitest';
import { entryTypeScriptSpec } from './entry-typescript-spec.js';
import { entrySpecExample, readEntrySource } from './zoo-facts.js';

const entries = new URL('../../../../packages/zoo/src/entries/', import.meta.url);
const attentionExports = new Set(Object.keys(attentionApi));
const api = attentionApi as unknown as Record<string, unknown>;

/** The module's default export, run as the playground runs it: its imports bound to `@weft/attention`. */
function evaluateModule(module: string): AttentionSpec {
  const [, imports, expression] =
    /^import \{ (.*) \} from '@weft\/attention';\n\nexport default ([\s\S]*);\n$/.exec(module)!;
  const names = imports!.split(', ');
  return new Function(...names, `return ${expression};`)(...names.map((name) => api[name])) as AttentionSpec;
}

describe('entryTypeScriptSpec', () => {
  it('writes the module of an attention example, importing the names it uses', () => {
    const example = entrySpecExample(readEntrySource(entries, 'multi-query-attention'));
    expect(entryTypeScriptSpec(example, attentionExports)).toBe(
      "import { attention, causal } from '@weft/attention';\n\n" +
        'export default attention({ heads: 4, kvHeads: 1, headDim: 16, mask: causal() });\n',
    );
  });

  it('writes none for examples with captured tensors, names of their own or other statements', () => {
    const with_ = (spec: string) =>
      `const spec = ${spec};\nconst { output } = applyAttention(spec, { query, key, value });`;
    expect(
      entryTypeScriptSpec(
        with_("attention({ heads: 2, headDim: 8, score: [keyBias(tensorRef('b', [8]))] })"),
        attentionExports,
      ),
    ).toBeUndefined();
    expect(
      entryTypeScriptSpec(with_('attention({ heads: 2, headDim: 8, score: [bamPrior] })'), attentionExports),
    ).toBeUndefined();
    expect(
      entryTypeScriptSpec("const y = layerNorm(input('x', [4, 37, 96]));", attentionExports),
    ).toBeUndefined();
  });

  it("gives modules for the zoo's attention entries that build specs applyAttention accepts", () => {
    const modules = ZOO.map((entry) => [
      entry.id,
      entryTypeScriptSpec(entrySpecExample(readEntrySource(entries, entry.id)), attentionExports),
    ]).filter((pair): pair is [string, string] => pair[1] !== undefined);
    expect(modules.length).toBeGreaterThanOrEqual(15);
    for (const [id, module] of modules) {
      const spec = evaluateModule(module);
      expect(spec.kind, id).toBe('attention');
      const query = input('q', [1, spec.heads, 128, spec.headDim]);
      const key = input('k', [1, spec.kvHeads, 128, spec.headDim]);
      const value = input('v', [1, spec.valueHeads, 128, spec.valueDim]);
      expect(() => applyAttention(spec, { query, key, value }), id).not.toThrow();
    }
  });
});
