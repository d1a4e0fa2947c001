// Type-checks `@example` code as a module of its own under the workspace's strict settings, with the
// names of the function's own package and of `@weft/ir` (the graph builders: `input`, `makeGraph`...)
// imported for it; an example imports what it uses from other packages itself.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { compilerOptions, type ExportedFunction } from './exported-functions.js';

/**
 * Type-checks every example of `functions` but the fragments, with each package's export names from `packageExports`.
 * The modules are written to `folder` (inside the workspace, so that `@weft/*` resolve) and removed
 * after. Returns one message per error, naming the function and its declaration.
 */
export function typeCheckExamples(
  functions: readonly ExportedFunction[],
  packageExports: ReadonlyMap<string, readonly string[]>,
  folder: string,
): string[] {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const files = new Map<string, { fn: ExportedFunction; preludeLines: number }>();
  try {
    for (const fn of functions) {
      fn.examples.forEach(({ code, fragment }, index) => {
        if (fragment) return;
        const imported = new Set(importedNames(code));
        const own = (packageExports.get(fn.packageName) ?? []).filter((name) => !imported.has(name));
        const graph = (packageExports.get('ir') ?? []).filter(
          (name) => !imported.has(name) && !own.includes(name),
        );
        const prelude =
          `import { ${own.join(', ')} } from '@weft/${fn.packageName}';\n` +
          (fn.packageName === 'ir' ? '' : `import { ${graph.join(', ')} } from '@weft/ir';\n`);
        const file = join(folder, `${fn.packageName}-${fn.name}-${index}.ts`);
        writeFileSync(file, `${prelude}${code}\nexport {};\n`);
        files.set(file, { fn, preludeLines: prelude.split('\n').length - 1 });
      });
    }
    // Unused prelude names are fine; verbatimModuleSyntax would demand `type` on the type-only ones.
    const program = ts.createProgram([...files.keys()], { ...compilerOptions, noUnusedLocals: false });
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const written = diagnostic.file && files.get(diagnostic.file.fileName);
      const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      if (written === undefined || diagnostic.file === undefined || diagnostic.start === undefined)
        return `example check: ${text}`;
      const { fn, preludeLines } = written;
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const source = diagnostic.file.text.split('\n')[line]?.trim();
      // Lines of the example itself, from 1 (line 0 and up are the imports written for it).
      const exampleLine = line - preludeLines + 1;
      return `@weft/${fn.packageName} ${fn.name} (${fn.location}): @example line ${exampleLine}: ${text}\n    ${source}`;
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The names an example imports itself (`import { a, type B as C } from '...'`). */
function importedNames(code: string): string[] {
  return [...code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((match) =>
    match[1]!
      .split(',')
      .map(
        (part) =>
          part
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)
            .at(-1)!,
      )
      .filter((name) => name !== ''),
  );
}
