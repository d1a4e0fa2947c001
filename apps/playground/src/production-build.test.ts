// The playground's production build (its own vite.config.ts, as `pnpm build` and the docs site run
// it) logs no warning: no Node module reaches the page or its worker, and no chunk passes Vite's
// 500 kB warning. Vite gives these warnings only to production builds, which it recognises by
// NODE_ENV (Vitest sets `test`).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createLogger } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(path.join(tmpdir(), 'weft-playground-build-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the playground production build', () => {
  it('logs no warning and writes the page, its worker, the editor chunk and the transpiler apart', async () => {
    const warnings: string[] = [];
    const logger = createLogger('warn');
    logger.warn = (message) => warnings.push(message);
    logger.warnOnce = (message) => warnings.push(message);
    const testEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ root, customLogger: logger, build: { outDir: out, emptyOutDir: true } });
    } finally {
      if (testEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = testEnv;
    }
    expect(warnings).toEqual([]);
    const assets = readdirSync(path.join(out, 'assets'));
    expect(assets.some((file) => file.startsWith('compile-worker-'))).toBe(true);
    expect(assets.some((file) => file.startsWith('editor-'))).toBe(true);
    // The TypeScript transpiler (Sucrase; `jsxPragma` is one of its option names) is a chunk of its
    // own that the worker loads for the first TypeScript spec, not part of the worker's first load.
    const holdingSucrase = assets.filter((file) =>
      readFileSync(path.join(out, 'assets', file), 'utf8').includes('jsxPragma'),
    );
    expect(holdingSucrase).toHaveLength(1);
    expect(holdingSucrase[0]).not.toMatch(/^compile-worker-/);
  }, 300_000);
});
