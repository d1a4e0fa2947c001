import { describe, expect, it } from 'vitest';
import type { Layer } from './architecture-rules.js';
import {
  checkLayers,
  findImportCycles,
  findLongFiles,
  layerOfFile,
  parseImports,
  type SourceFile,
  staleLongFileEntries,
} from './check-architecture.js';

const LAYERS: readonly Layer[] = [
  { name: '@weft/ir', level: 0, paths: ['packages/ir/'], mayImport: [] },
  { name: '@weft/norms', level: 1, paths: ['packages/norms/'], mayImport: ['@weft/ir'] },
  { name: '@weft/wgsl', level: 1, paths: ['packages/wgsl/'], mayImport: ['@weft/ir'] },
  { name: '@weft/attention', level: 2, paths: ['packages/attention/'], mayImport: ['@weft/ir'] },
  { name: '@weft/attention/kernels', level: 3, paths: ['packages/attention/src/kernel/'] },
  { name: '@weft/runtime', level: 4, paths: ['packages/runtime/'] },
];
const file = (path: string, ...lines: string[]): SourceFile => ({ path, text: `${lines.join('\n')}\n` });

describe('parseImports', () => {
  it('finds imports and re-exports with their lines, and marks the type-only ones', () => {
    const text = [
      "import { a } from './a.js';",
      '/** import { doc } from "./not-code.js"; */',
      'import type { B } from "./b.js";',
      'export {',
      '  c,',
      "} from './c.js';",
      "export type * from './d.js';",
      "import './e.js';",
    ].join('\n');
    expect(parseImports(text)).toEqual([
      { specifier: './a.js', line: 1, typeOnly: false },
      { specifier: './b.js', line: 3, typeOnly: true },
      { specifier: './c.js', line: 4, typeOnly: false },
      { specifier: './d.js', line: 7, typeOnly: true },
      { specifier: './e.js', line: 8, typeOnly: false },
    ]);
  });
});

describe('checkLayers', () => {
  it('reports an upward import, an import between layers of one level, and a spec file reaching into kernel/', () => {
    const files = [
      file('packages/ir/src/graph.ts', "import { compile } from '@weft/runtime';"),
      file('packages/norms/src/norm.ts', "import { ir } from '@weft/ir';", "import { w } from '@weft/wgsl';"),
      file('packages/attention/src/spec.ts', "import { t } from './kernel/tiles.js';"),
      file('packages/attention/src/kernel/tiles.ts', "import { spec } from '../spec.js';"),
      file('packages/runtime/src/run.ts', "import { t } from '@weft/attention/kernels';"),
    ];
    const { violations } = checkLayers(files, [], LAYERS);
    expect(violations).toEqual([
      {
        file: 'packages/ir/src/graph.ts',
        line: 1,
        specifier: '@weft/runtime',
        from: '@weft/ir',
        to: '@weft/runtime',
      },
      {
        file: 'packages/norms/src/norm.ts',
        line: 2,
        specifier: '@weft/wgsl',
        from: '@weft/norms',
        to: '@weft/wgsl',
      },
      {
        file: 'packages/attention/src/spec.ts',
        line: 1,
        specifier: './kernel/tiles.js',
        from: '@weft/attention',
        to: '@weft/attention/kernels',
      },
    ]);
  });

  it("lets tests import a higher layer's test helpers only, and applies the allow-list", () => {
    const files = [
      file('packages/norms/src/norm.gpu.test.ts', "import { getTestDevice } from '@weft/runtime/test';"),
      file('packages/norms/src/norm.test.ts', "import { compile } from '@weft/runtime';"),
      file('packages/norms/src/norm.ts', "import { compile } from '@weft/runtime';"),
    ];
    const known = [
      { file: 'packages/norms/src/norm.test.ts', imports: '@weft/runtime', reason: 'r' },
      { file: 'packages/norms/src/gone.ts', imports: '@weft/runtime', reason: 'r' },
    ];
    const result = checkLayers(files, known, LAYERS);
    expect(result.violations.map((violation) => violation.file)).toEqual(['packages/norms/src/norm.ts']);
    expect(result.allowed.map((violation) => violation.file)).toEqual(['packages/norms/src/norm.test.ts']);
    expect(result.stale).toEqual([known[1]]);
  });

  it('puts a file in the layer of its longest matching path', () => {
    expect(layerOfFile('packages/attention/src/kernel/x.ts', LAYERS)?.name).toBe('@weft/attention/kernels');
    expect(layerOfFile('packages/attention/src/x.ts', LAYERS)?.name).toBe('@weft/attention');
  });
});

describe('findImportCycles', () => {
  it('reports a runtime cycle with its files, through a package entry too, and ignores type-only imports', () => {
    const files = [
      file('packages/ir/src/a.ts', "import { b } from './b.js';"),
      file('packages/ir/src/b.ts', "import { c } from '@weft/ir/c';"),
      file('packages/ir/src/c.ts', "export { a } from './a.js';"),
      file('packages/ir/src/d.ts', "import type { e } from './e.js';"),
      file('packages/ir/src/e.ts', "import { d } from './d.js';"),
      file('packages/ir/src/e.test.ts', "import { e } from './e.js';"),
    ];
    expect(findImportCycles(files, { '@weft/ir/c': 'packages/ir/src/c.ts' })).toEqual([
      ['packages/ir/src/a.ts', 'packages/ir/src/b.ts', 'packages/ir/src/c.ts', 'packages/ir/src/a.ts'],
    ]);
  });
});

describe('findLongFiles', () => {
  it('reports non-test files over the limit unless allowed, and allowances no longer needed', () => {
    const long = (path: string) => ({ path, text: 'x\n'.repeat(5) });
    const files = [
      long('tools/src/a.ts'),
      long('tools/src/b.ts'),
      long('tools/src/a.test.ts'),
      file('tools/src/c.ts', 'x'),
    ];
    expect(findLongFiles(files, { 'tools/src/b.ts': 'one table' }, 4)).toEqual([
      { path: 'tools/src/a.ts', lines: 5 },
    ]);
    const allowed = { 'tools/src/b.ts': 'r', 'tools/src/c.ts': 'r', 'tools/src/gone.ts': 'r' };
    expect(staleLongFileEntries(files, allowed, 4)).toEqual(['tools/src/c.ts', 'tools/src/gone.ts']);
  });
});
