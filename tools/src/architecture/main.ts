// `pnpm check:architecture` (a step of `pnpm verify`; no device): import layers, runtime import
// cycles and file lengths of packages/*/src, apps/*/src and tools/src. Exits 1 on any violation.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable } from '@weft/ir';
import { KNOWN_LAYER_VIOLATIONS, LAYERS, LONG_FILES, MAX_LINES } from './architecture-rules.js';
import {
  checkLayers,
  findImportCycles,
  findLongFiles,
  type SourceFile,
  staleLongFileEntries,
} from './check-architecture.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .filter((path) => !path.includes('/node_modules/'));
}

/** `@weft/<package>[/subpath]` → its source file, from each package.json's `@weft/source` exports. */
function packageEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const folder of readdirSync(join(root, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8'));
    for (const [key, value] of Object.entries<Record<string, string> | string>(manifest.exports ?? {})) {
      const source = typeof value === 'object' ? value['@weft/source'] : undefined;
      if (source !== undefined) entries[`${manifest.name}${key.slice(1)}`] = join('packages', folder, source);
    }
  }
  return entries;
}

const folders = [
  ...readdirSync(join(root, 'packages')).map((name) => `packages/${name}/src`),
  ...readdirSync(join(root, 'apps')).map((name) => `apps/${name}/src`),
  'tools/src',
];
const files: SourceFile[] = folders
  .flatMap(sourceFiles)
  .map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));

console.log('layers, lowest first (a layer imports only lower ones; same level: neither the other):');
console.log(
  formatTable(
    LAYERS.map((layer) => [
      String(layer.level),
      layer.name,
      layer.paths.join(' '),
      layer.mayImport === undefined ? 'every lower layer' : layer.mayImport.join(', ') || 'nothing',
    ]),
    { header: ['level', 'layer', 'files', 'may import'], align: ['right'] },
  ),
);
const layers = checkLayers(files, KNOWN_LAYER_VIOLATIONS);
const cycles = findImportCycles(files, packageEntries());
const long = findLongFiles(files);
const staleLong = staleLongFileEntries(files);
console.log(`\n${files.length} files checked`);
const describe = (v: (typeof layers.violations)[number]) =>
  `  ${v.file}:${v.line}: ${v.from} → ${v.to} ('${v.specifier}')`;
if (layers.allowed.length > 0) {
  console.log(`\nknown layer violations (allow-list in tools/src/architecture/architecture-rules.ts):`);
  for (const violation of layers.allowed) console.log(describe(violation));
}
if (layers.violations.length > 0) {
  console.log(`\nlayer violations (${layers.violations.length}):`);
  for (const violation of layers.violations) console.log(describe(violation));
}
for (const entry of layers.stale)
  console.log(`\nstale allow-list entry (matches no import; remove it): ${entry.file} → ${entry.imports}`);
for (const cycle of cycles) console.log(`\nimport cycle: ${cycle.join(' → ')}`);
for (const file of long)
  console.log(
    `\n${file.path}: ${file.lines} lines (limit ${MAX_LINES}; split it, or list it in LONG_FILES with a reason)`,
  );
for (const path of staleLong)
  console.log(`\nstale LONG_FILES entry (gone or within ${MAX_LINES} lines; remove it): ${path}`);
const failures =
  layers.violations.length + layers.stale.length + cycles.length + long.length + staleLong.length;
console.log(
  `\narchitecture: ${failures === 0 ? 'ok' : `${failures} problem(s)`} — ${layers.violations.length} layer violations ` +
    `(${layers.allowed.length} known), ${cycles.length} import cycles, ${long.length} files over ${MAX_LINES} lines ` +
    `(${Object.keys(LONG_FILES).length} allowed)`,
);
process.exit(failures === 0 ? 0 : 1);
