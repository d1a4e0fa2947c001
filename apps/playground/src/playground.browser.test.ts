import { ROPE_TOLERANCE, ZOO } from '@weft/zoo';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import type { AnalysisResult } from './analysis/analysis-result.js';
import { DEFAULT_SPEC, TYPESCRIPT_EXAMPLE } from './document/default-spec.js';
import { specFromHash } from './document/spec-hash.js';
import { mountPlayground, type Playground } from './playground.js';
import './playground.css';
// Loaded by the page only for TypeScript specs. The dev server optimizes a dependency when it is
// first imported and then reloads the page's modules: importing these here has it happen before the
// tests, not while one runs (where the page's own dynamic import of it then fails).
import '@codemirror/lang-javascript';
import 'acorn';
import 'sucrase';

/** Where the screenshot of the page is kept (gitignored): apps/playground/test-artifacts/. */
const SCREENSHOT = '../test-artifacts/playground.png';

let mounted: Playground | undefined;
afterEach(() => {
  mounted?.destroy();
  mounted = undefined;
});

function mount(options: Parameters<typeof mountPlayground>[1]): {
  root: HTMLElement;
  playground: Playground;
} {
  const root = document.createElement('main');
  document.body.append(root);
  mounted = mountPlayground(root, { debounceMs: 50, ...options });
  return { root, playground: mounted };
}

async function settledResult(playground: Playground): Promise<AnalysisResult> {
  const reply = await playground.settled();
  if (!reply.ok) throw new Error(`${reply.failure.name}: ${reply.failure.message}`);
  return reply.result;
}

/** Whether the canvas shows more than one colour. */
function canvasHasContent(canvas: HTMLCanvasElement): boolean {
  const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let index = 4; index < pixels.length; index += 4)
    if (pixels[index] !== pixels[0] || pixels[index + 1] !== pixels[1] || pixels[index + 2] !== pixels[2])
      return true;
  return false;
}

describe('playground (headless Chromium, WebGPU)', () => {
  // The first page load makes the dev server transform the worker's whole module graph (every
  // package's sources), minutes on a cold cache under a loaded CI machine: paid here, once, so
  // that each test's own limit measures the playground rather than the server's first build.
  beforeAll(async () => {
    const { playground } = mount({ text: DEFAULT_SPEC });
    await playground.settled();
    mounted?.destroy();
    mounted = undefined;
  }, 600_000);

  it('compiles the opening spec on WebGPU and shows plan, WGSL, mask map, weights and error', async () => {
    const { root, playground } = mount({ text: DEFAULT_SPEC });
    const result = await settledResult(playground);

    expect(result.backend).toBe('webgpu');
    // RoPE attention: the f32 budget for rotary specs, against the float64 interpreter.
    expect(result.tolerance).toBe(ROPE_TOLERANCE);
    expect(result.maxRelativeError).toBeGreaterThan(0);
    expect(result.maxRelativeError).toBeLessThanOrEqual(result.tolerance!);
    expect(result.kernels.length).toBeGreaterThanOrEqual(1);
    expect(result.kernels.some((kernel) => kernel.ops.includes('attention'))).toBe(true);
    expect(root.querySelectorAll('svg.plan [data-kernel]')).toHaveLength(result.kernels.length);
    expect(root.querySelector('[data-role="wgsl"] .cm-content')?.textContent).toMatch(/@compute/);

    // causal ∧ window 40 over 128 positions in 16×16 tiles: tiles above the diagonal and far
    // below it are empty, the diagonal is partial, tiles wholly inside the window are full.
    const tiles = result.maskTiles!.tiles;
    expect(tiles).toHaveLength(8);
    expect(tiles[0]![1]).toBe('empty');
    expect(tiles[3]![3]).toBe('partial');
    expect(tiles[4]![3]).toBe('full');
    expect(tiles[7]![0]).toBe('empty');
    expect(root.querySelectorAll('[data-role="mask"] rect.tile')).toHaveLength(64);

    // The heat map is the device's attention weights of head 0: causal, window 40, rows sum to 1.
    const map = result.heatMap!;
    expect([map.heads, map.rows, map.columns]).toEqual([4, 128, 128]);
    for (const query of [0, 17, 100]) {
      const row = map.values.subarray(query * 128, query * 128 + 128);
      expect(row.reduce((sum, weight) => sum + weight, 0)).toBeCloseTo(1, 5);
      row.forEach((weight, key) => {
        if (key > query || key <= query - 40) expect(weight, `q ${query} k ${key}`).toBe(0);
      });
    }
    expect(canvasHasContent(root.querySelector<HTMLCanvasElement>('[data-role="heat-map-canvas"]')!)).toBe(
      true,
    );
    expect(specFromHash(location.hash)).toBe(DEFAULT_SPEC);
  });

  it('shows a spec error inline, keeps the page, and recompiles after the next edit', async () => {
    const { root, playground } = mount({ text: DEFAULT_SPEC });
    await settledResult(playground);

    playground.setText('{ "heads": 4, "kvHeads": 3, "headDim": 16 }');
    const failed = await playground.settled();
    expect(failed.ok).toBe(false);
    const error = root.querySelector<HTMLElement>('[data-role="error"]')!;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toMatch(/^SpecError: .*kvHeads/);
    expect(root.querySelectorAll('svg.plan [data-kernel]').length).toBeGreaterThan(0);

    playground.setText(
      '{ "heads": 2, "headDim": 8, "mask": { "kind": "causal" }, "normalizer": { "kind": "sigmoid" } }',
    );
    const result = await settledResult(playground);
    expect(error.hidden).toBe(true);
    expect(result.maxRelativeError).toBeLessThanOrEqual(result.tolerance!);
    expect(result.kernels.map((kernel) => kernel.label).join()).toMatch(/attention/);
    expect(specFromHash(location.hash)).toMatch(/sigmoid/);
  });

  it('runs a TypeScript spec from the example button, and shows its syntax and export errors', async () => {
    const { root, playground } = mount({ text: DEFAULT_SPEC });
    const fromJson = await settledResult(playground);
    root.querySelector<HTMLButtonElement>('.examples button[data-example="typescript"]')!.click();
    expect(playground.editor.state.doc.toString()).toBe(TYPESCRIPT_EXAMPLE);
    // The editor switched to TypeScript: `import` is highlighted as a keyword.
    await expect
      .poll(() => root.querySelector('.editor .cm-line')?.querySelector('span')?.textContent)
      .toBe('import');
    const result = await settledResult(playground);
    // The module is the opening JSON spec written with the API: the same plan, the same weights.
    expect(result.title).toBe(fromJson.title);
    expect(result.kernels.map((kernel) => kernel.label)).toEqual(
      fromJson.kernels.map((kernel) => kernel.label),
    );
    expect(result.maxRelativeError).toBeLessThanOrEqual(result.tolerance!);
    expect(Array.from(result.heatMap!.values)).toEqual(Array.from(fromJson.heatMap!.values));
    expect(specFromHash(location.hash)).toBe(TYPESCRIPT_EXAMPLE);

    const error = root.querySelector<HTMLElement>('[data-role="error"]')!;
    playground.setText(TYPESCRIPT_EXAMPLE.replace('headDim: 16,', 'headDim: 16 ]'));
    expect((await playground.settled()).ok).toBe(false);
    expect(error.textContent).toMatch(
      /^SpecError: the TypeScript spec does not parse: .*\(line 8, column 15\)/,
    );
    expect(root.querySelectorAll('svg.plan [data-kernel]')).toHaveLength(result.kernels.length);

    playground.setText("import { causal } from '@weft/attention';\nexport default causal;\n");
    expect((await playground.settled()).ok).toBe(false);
    expect(error.textContent).toMatch(/^SpecError: the spec module's export "default" is not a spec/);

    playground.setText(TYPESCRIPT_EXAMPLE.replace('kvHeads: 2', 'kvHeads: 3'));
    expect((await playground.settled()).ok).toBe(false);
    expect(error.textContent).toMatch(/^SpecError: .*kvHeads \(3\) must divide heads \(4\)/);

    playground.setText(TYPESCRIPT_EXAMPLE);
    await settledResult(playground);
    expect(error.hidden).toBe(true);
  });

  it('opens a zoo entry from the gallery and keeps a screenshot', async () => {
    const { root, playground } = mount({ text: DEFAULT_SPEC });
    await settledResult(playground);
    // The gallery loads the zoo after the page; it lists every entry.
    await expect
      .poll(() => root.querySelectorAll('.gallery button[data-entry]').length, { timeout: 60_000 })
      .toBe(ZOO.length);
    expect(ZOO.length).toBeGreaterThanOrEqual(50);
    root.querySelector<HTMLButtonElement>('.gallery button[data-entry="layer-norm"]')!.click();
    const result = await settledResult(playground);
    expect(result.title).toMatch(/^zoo entry layer-norm/);
    expect(result.kernels).toHaveLength(1);
    expect(result.maxRelativeError).toBeLessThanOrEqual(result.tolerance!);
    expect(canvasHasContent(root.querySelector<HTMLCanvasElement>('[data-role="heat-map-canvas"]')!)).toBe(
      true,
    );

    await page.viewport(1500, 1900);
    playground.setText(DEFAULT_SPEC);
    await settledResult(playground);
    const path = await page.screenshot({ path: SCREENSHOT });
    expect(path).toMatch(/playground\.png$/);
  });

  it('runs the CPU reference backend and says so when asked to (as without WebGPU)', async () => {
    const { root, playground } = mount({ text: DEFAULT_SPEC, forceCpu: true });
    const result = await settledResult(playground);
    expect(result.backend).toBe('cpu');
    expect(root.querySelector('[data-role="backend"]')?.textContent).toMatch(
      /^No WebGPU run — .*CPU reference backend/,
    );
    expect(result.maxRelativeError).toBeLessThan(1e-6);
    expect(canvasHasContent(root.querySelector<HTMLCanvasElement>('[data-role="heat-map-canvas"]')!)).toBe(
      true,
    );
  });
});
