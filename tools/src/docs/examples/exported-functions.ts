// Lists the functions a package's main entry exports, with the code of their TSDoc `@example` tags,
// through the TypeScript compiler's own view of the sources (re-exports followed to the declaration).
import { relative } from 'node:path';
import ts from 'typescript';

/** The code of one `@example` tag: its fenced block, without the fence. */
export interface Example {
  readonly code: string;
  /**
   * Fenced as ```` ```ts fragment ````: it uses names of its surroundings (a `query` node, a
   * `device`...) that it does not declare, as the guides' fragments do; not type-checked.
   */
  readonly fragment: boolean;
}

/** One exported function and its `@example` tags. */
export interface ExportedFunction {
  readonly packageName: string;
  readonly name: string;
  /** `path:line` of its declaration, relative to the repository root. */
  readonly location: string;
  readonly examples: readonly Example[];
}

/** The compiler settings of the workspace: sources through the `@weft/source` condition. */
export const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: true,
  noEmit: true,
  customConditions: ['@weft/source'],
  types: ['@webgpu/types', 'node'],
};

/**
 * The function exports of each package's `src/index.ts` (`@weft/<name>` for `packages/<name>`),
 * whether declared with `function` or overloaded; constants holding functions are not listed. Also
 * every export name of each entry (values and types), by package.
 */
export function exportedFunctions(
  root: string,
  packageNames: readonly string[],
): { functions: ExportedFunction[]; exportNames: Map<string, string[]> } {
  const entries = packageNames.map((name) => `${root}/packages/${name}/src/index.ts`);
  const program = ts.createProgram(entries, compilerOptions);
  const checker = program.getTypeChecker();
  const found: ExportedFunction[] = [];
  const exportNames = new Map<string, string[]>();
  entries.forEach((entry, index) => {
    const source = program.getSourceFile(entry);
    const module = source && checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`${entry}: not found`);
    const exports = checker.getExportsOfModule(module);
    exportNames.set(
      packageNames[index]!,
      exports.map((exported) => exported.name),
    );
    for (const exported of exports) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(symbol.flags & ts.SymbolFlags.Function)) continue;
      const declaration = symbol.declarations?.[0];
      if (declaration === undefined) continue;
      const file = declaration.getSourceFile();
      const { line } = file.getLineAndCharacterOfPosition(declaration.getStart());
      found.push({
        packageName: packageNames[index]!,
        name: exported.name,
        location: `${relative(root, file.fileName)}:${line + 1}`,
        examples: exampleCode(symbol, checker),
      });
    }
  });
  return { functions: found, exportNames };
}

/** The fenced code of each `@example` tag of any of the symbol's declarations. */
function exampleCode(symbol: ts.Symbol, checker: ts.TypeChecker): Example[] {
  return symbol
    .getJsDocTags(checker)
    .filter((tag) => tag.name === 'example')
    .map((tag) => ts.displayPartsToString(tag.text))
    .map((text) => {
      const fenced = /```([^\n]*)\n([\s\S]*?)```/.exec(text);
      const info = fenced?.[1]?.trim().split(/\s+/) ?? [];
      return { code: fenced?.[2] ?? text, fragment: info.includes('fragment') };
    });
}
