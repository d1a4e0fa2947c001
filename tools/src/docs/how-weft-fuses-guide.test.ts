import { readFileSync } from 'node:fs';
import {
  add,
  formatFusionDecisions,
  formatGraph,
  formatKernelPlan,
  gelu,
  input,
  makeGraph,
  matmul,
  param,
  runPipeline,
  withLabel,
} from '@weft/ir';
import { buildDecoderLmGraph, parseModelSpec } from '@weft/models';
import { layerNorm } from '@weft/norms';
import { generateGraphKernels } from '@weft/runtime';
import { DEFAULT_DEVICE_PROFILE, fusionCostModelOf } from '@weft/wgsl';
import { describe, expect, it } from 'vitest';
import { DEMO_SPEC } from '../demo/demo-spec.js';

// The guide "How Weft fuses" quotes real output for the graph it builds; these tests keep the quotes
// true: the printed graph and kernel plan verbatim, and every line of the WGSL excerpt (elisions
// `// ...` aside) in the generated kernel, in order.
const guide = readFileSync(new URL('../../../docs/guides/how-weft-fuses.md', import.meta.url), 'utf8');
const blocks = [...guide.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, language, body]) => ({
  language: language!,
  body: body!.trimEnd(),
}));

function guideGraph() {
  const h = withLabel('residual', () => add(input('x', [16, 64]), input('residual', [16, 64])));
  const normalized = withLabel('ln', () => layerNorm(h, { name: 'ln' }));
  const y = withLabel('mlp.up', () =>
    gelu(add(matmul(normalized, param('w', [64, 128])), param('b', [128]))),
  );
  return makeGraph({ h, y });
}

describe('the guide "How Weft fuses" quotes what Weft prints', () => {
  it('builds the graph its code block shows', () => {
    const code = blocks.find((block) => block.language === 'ts')!.body;
    expect(code).toContain("withLabel('ln', () => layerNorm(h, { name: 'ln' }))");
    expect(code).toContain('const graph = makeGraph({ h, y });');
  });

  it('prints the graph', () => {
    const printed = blocks.filter((block) => block.language === 'text')[0]!.body;
    expect(printed).toBe(formatGraph(guideGraph()).trimEnd());
  });

  it('prints the kernel plan', () => {
    const printed = blocks.filter((block) => block.language === 'text')[1]!.body;
    const { plan, memory } = runPipeline(guideGraph());
    const unfused = runPipeline(guideGraph(), { fuse: false }).plan.kernels.length;
    expect(printed).toBe(`${formatKernelPlan(plan, memory).trimEnd()}\nunfused kernels ${unfused}`);
  });

  it('quotes lines of the generated WGSL, in order', () => {
    const excerpt = blocks.find((block) => block.language === 'wgsl')!.body;
    const { kernels } = generateGraphKernels(guideGraph(), DEFAULT_DEVICE_PROFILE);
    expect(kernels).toHaveLength(1);
    const generated = kernels[0]!.wgsl.split('\n').map((line) => line.trim());
    let at = 0;
    for (const line of excerpt.split('\n').map((text) => text.trim())) {
      if (line === '' || line.startsWith('// ...')) continue;
      const found = generated.indexOf(line, at);
      expect(found, `"${line}" (after line ${at} of the kernel)`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });

  it("quotes the cost model's decisions for the demo decoder's step on a software adapter", () => {
    const quoted = blocks.filter((block) => block.language === 'text')[2]!.body;
    const { config } = parseModelSpec(DEMO_SPEC);
    const software = fusionCostModelOf({ ...DEFAULT_DEVICE_PROFILE, software: true });
    const { plan } = runPipeline(buildDecoderLmGraph(config, { mode: 'step' }).graph, {
      fusionCosts: software,
    });
    const printed = formatFusionDecisions(plan).split('\n');
    for (const line of quoted.split('\n')) expect(printed).toContain(line);
    // The guide's own graph: fused on a GPU (the plan it prints), its norm apart on a software adapter.
    const templates = runPipeline(guideGraph(), { fusionCosts: software }).plan.kernels.map(
      (kernel) => kernel.template,
    );
    expect(templates).toEqual(['row', 'matmul']);
  });
});
