// The checks behind `pnpm check:architecture`, on an in-memory set of source files so that tests can
// give them a tiny repository: import layers, runtime import cycles, file lengths.
import { posix } from 'node:path';
import {
  isTestFile,
  type KnownLayerViolation,
  LAYERS,
  type Layer,
  LONG_FILES,
  MAX_LINES,
} from './architecture-rules.js';

/** A source file: its path from the repository root and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** One import or re-export of a file. */
export interface ImportStatement {
  /** The module specifier as written. */
  readonly specifier: string;
  /** 1-based line of the statement. */
  readonly line: number;
  /** `import type` / `export type`: erased at run time. */
  readonly typeOnly: boolean;
}

/** An import against the layer table. */
export interface LayerViolation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly from: string;
  readonly to: string;
}

const STATEMENT =
  /^[ \t]*(import|export)([ \t]+type)?[ \t]+(?:[\w$]+[ \t]*,[ \t]*)?(?:\{[^}]*\}|\*(?:[ \t]+as[ \t]+[\w$]+)?|[\w$]+)[ \t]*from[ \t]*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^[ \t]*import[ \t]*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The static imports, re-exports and literal dynamic imports of a file, with their lines. */
export function parseImports(text: string): ImportStatement[] {
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const found: ImportStatement[] = [];
  for (const match of text.matchAll(STATEMENT)) {
    found.push({ specifier: match[3]!, line: lineOf(match.index), typeOnly: match[2] !== undefined });
  }
  for (const pattern of [SIDE_EFFECT, DYNAMIC]) {
    for (const match of text.matchAll(pattern)) {
      found.push({ specifier: match[1]!, line: lineOf(match.index), typeOnly: false });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** The layer a file belongs to (longest matching path prefix), if any. */
export function layerOfFile(path: string, layers: readonly Layer[] = LAYERS): Layer | undefined {
  let best: [Layer, number] | undefined;
  for (const layer of layers) {
    for (const prefix of layer.paths) {
      const matches = prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix;
      if (matches && (best === undefined || prefix.length > best[1])) best = [layer, prefix.length];
    }
  }
  return best?.[0];
}

/**
 * The file a specifier names: a relative one resolved against the importer (`.js` → `.ts`, a folder
 * → its index.ts), a bare one through `packageEntries` (`@weft/zoo/runner` → its source file).
 */
export function resolveImport(
  importer: string,
  specifier: string,
  files: ReadonlySet<string>,
  packageEntries: Readonly<Record<string, string>> = {},
): string | undefined {
  if (!specifier.startsWith('.')) return packageEntries[specifier];
  const base = posix.join(posix.dirname(importer), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
  return candidates.find((candidate) => files.has(candidate));
}

/** Whether `from` may import `to` under the table. */
export function mayImport(from: Layer, to: Layer): boolean {
  if (from === to) return true;
  return to.level < from.level && (from.mayImport === undefined || from.mayImport.includes(to.name));
}

/**
 * Every import that goes to a layer its file's layer may not import: bare `@weft/...` specifiers
 * by package (and `@weft/attention/kernels` by name), relative ones by the file they reach (so a
 * spec file's `./kernel/...` import counts). Test files may import `@weft/<package>/test` helpers
 * of any layer. Imports listed in `known` are left out; `stale` lists the entries that matched nothing.
 */
export function checkLayers(
  files: readonly SourceFile[],
  known: readonly KnownLayerViolation[] = [],
  layers: readonly Layer[] = LAYERS,
): { violations: LayerViolation[]; allowed: LayerViolation[]; stale: KnownLayerViolation[] } {
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const paths = new Set(files.map((file) => file.path));
  const violations: LayerViolation[] = [];
  const allowed: LayerViolation[] = [];
  const used = new Set<KnownLayerViolation>();
  for (const file of files) {
    const from = layerOfFile(file.path, layers);
    if (from === undefined) continue;
    for (const statement of parseImports(file.text)) {
      const { specifier } = statement;
      let to: Layer | undefined;
      if (specifier.startsWith('@weft/')) {
        if (isTestFile(file.path) && /^@weft\/[\w-]+\/test$/.test(specifier)) continue;
        to =
          byName.get(specifier) ??
          (specifier === '@weft/zoo/cli' ? byName.get('@weft/zoo/runner') : undefined) ??
          byName.get(specifier.split('/').slice(0, 2).join('/'));
      } else if (specifier.startsWith('.')) {
        const target =
          resolveImport(file.path, specifier, paths) ?? posix.join(posix.dirname(file.path), specifier);
        to = layerOfFile(target, layers);
      }
      if (to === undefined || mayImport(from, to)) continue;
      const violation = { file: file.path, line: statement.line, specifier, from: from.name, to: to.name };
      const entry = known.find((item) => item.file === file.path && item.imports === to.name);
      if (entry === undefined) violations.push(violation);
      else {
        allowed.push(violation);
        used.add(entry);
      }
    }
  }
  return { violations, allowed, stale: known.filter((entry) => !used.has(entry)) };
}

/**
 * The cycles of runtime imports among non-test files (`import type` left out), each as the files
 * around it, the first repeated at the end: one per back edge of a depth-first search.
 */
export function findImportCycles(
  files: readonly SourceFile[],
  packageEntries: Readonly<Record<string, string>> = {},
): string[][] {
  const sources = files.filter((file) => !isTestFile(file.path));
  const paths = new Set(sources.map((file) => file.path));
  const edges = new Map<string, string[]>();
  for (const file of sources) {
    const targets = parseImports(file.text)
      .filter((statement) => !statement.typeOnly)
      .map((statement) => resolveImport(file.path, statement.specifier, paths, packageEntries))
      .filter((target): target is string => target !== undefined && paths.has(target));
    edges.set(file.path, [...new Set(targets)]);
  }
  // Depth-first search; a back edge closes a cycle. Files already explored are not entered again,
  // so each cycle is reported once.
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (path: string) => {
    state.set(path, 'open');
    stack.push(path);
    for (const next of edges.get(path) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(path, 'done');
  };
  for (const path of [...paths].sort()) if (state.get(path) === undefined) visit(path);
  return cycles;
}

/** Non-test files over `maxLines` lines that `allowed` does not list, with their line counts. */
export function findLongFiles(
  files: readonly SourceFile[],
  allowed: Readonly<Record<string, string>> = LONG_FILES,
  maxLines = MAX_LINES,
): { path: string; lines: number }[] {
  return files
    .filter((file) => !isTestFile(file.path) && !(file.path in allowed))
    .map((file) => ({
      path: file.path,
      lines: file.text.split('\n').length - (file.text.endsWith('\n') ? 1 : 0),
    }))
    .filter((file) => file.lines > maxLines);
}

/** Entries of `allowed` whose file is gone or no longer over `maxLines` (remove them). */
export function staleLongFileEntries(
  files: readonly SourceFile[],
  allowed: Readonly<Record<string, string>> = LONG_FILES,
  maxLines = MAX_LINES,
): string[] {
  const long = new Set(findLongFiles(files, {}, maxLines).map((file) => file.path));
  return Object.keys(allowed).filter((path) => !long.has(path));
}
