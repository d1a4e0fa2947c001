// A page that loads a saved attention graph, as an app would: the bundle imports `graphFromJSON`
// and the attention extension, and nothing else of `@weft/attention`. Before extensions were
// values, a bundler dropped `import '@weft/attention'` (a side-effect-free package) and loading
// failed with `unknown op "attention"`.
import { attention } from '@weft/attention/kernels';
import { elementCount, type Graph, GraphError, graphFromJSON, graphNodes, interpret } from '@weft/ir';
import { compile, requestWeftDevice } from '@weft/runtime';
import { describe, expect, it } from 'vitest';

/** The saved graph: causal GQA attention (2 query heads, 1 KV head, 8 positions, head dim 8). */
async function savedGraphText(): Promise<string> {
  const response = await fetch(new URL('./fixtures/saved-attention-graph.json', import.meta.url));
  expect(response.ok).toBe(true);
  return response.text();
}

/** Deterministic inputs of every `input` node, by name. */
function inputsOf(graph: Graph): Record<string, Float32Array> {
  const inputs = graphNodes(graph).filter((node) => node.op === 'input');
  return Object.fromEntries(
    inputs.map((node, offset) => [
      String(node.attrs.name),
      Float32Array.from(
        { length: elementCount(node.shape as readonly number[]) },
        (_, i) => Math.sin(0.37 * i + offset) * 0.8,
      ),
    ]),
  );
}

describe('a bundled page loads a saved attention graph (headless Chromium)', () => {
  it('is refused, naming the extension to pass, without the attention extension', async () => {
    const text = await savedGraphText();
    expect(() => graphFromJSON(text)).toThrow(GraphError);
    expect(() => graphFromJSON(text)).toThrow(/unknown op "attention".*'@weft\/attention\/kernels'/);
  });

  it('compiles with the extension and runs on WebGPU, matching the float64 reference', async () => {
    const graph = graphFromJSON(await savedGraphText(), { extensions: [attention] });
    const inputs = inputsOf(graph);
    const weft = await requestWeftDevice();
    const program = await compile(graph, { device: weft, extensions: [attention] });
    try {
      expect(program.kernels.map((kernel) => kernel.kernel.anchor.op)).toContain('attention');
      const { output } = await program.run(inputs, { poisonOutputs: true });
      const expected = interpret(graph, { inputs }).output!;
      expect(output!.shape).toEqual([1, 2, 8, 8]);
      let worst = 0;
      expected.data.forEach((value, i) => {
        worst = Math.max(worst, Math.abs(output!.data[i]! - value) / (1 + Math.abs(value)));
      });
      expect(worst).toBeLessThan(1e-5);
    } finally {
      program.destroy();
      weft.device.destroy();
    }
  });
});
