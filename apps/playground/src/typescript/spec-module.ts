// A TypeScript spec module, as the editor holds it: transpiled in the page with Sucrase (types
// stripped, `import`s turned into `require` calls; Sucrase keeps every line where it was), then
// run with the Weft packages as its only importable modules.
import { SpecError, WeftError } from '@weft/ir';

/** The modules a spec module may import, by specifier (`@weft/attention` → its namespace). */
export type SpecModules = Readonly<Record<string, unknown>>;

/** What a spec module exports: its default export, or else its export named `spec`. */
export interface SpecExport {
  /** `default` or `spec`. */
  readonly name: string;
  /** The exported value. */
  readonly value: unknown;
}

/** The module's name in stack traces, so that an error thrown by the module can name its line. */
const MODULE_URL = 'playground-spec.ts';

/**
 * Transpiles a spec module to a CommonJS function body (types removed, imports as `require`).
 *
 * @throws SpecError naming the line and column of a syntax error.
 */
export async function transpileSpecModule(source: string): Promise<string> {
  // Loaded on first use: pages that only ever hold JSON never fetch the transpiler.
  const { transform } = await import('sucrase');
  try {
    return transform(source, { transforms: ['typescript', 'imports'], production: true }).code;
  } catch (error) {
    const loc = (error as { loc?: { line: number; column: number } }).loc;
    const message = error instanceof Error ? error.message.replace(/\s*\(\d+:\d+\)$/, '') : String(error);
    throw new SpecError(
      loc === undefined
        ? `the TypeScript spec does not parse: ${message}`
        : `the TypeScript spec does not parse: ${message} (line ${loc.line}, column ${loc.column})`,
    );
  }
}

/**
 * Transpiles and runs a spec module with `modules` as what it can import, and returns its default
 * export (or, without one, its export named `spec`).
 *
 * @throws SpecError for a syntax error (line and column), an import of a module not in `modules`, or
 * a module that exports neither `default` nor `spec`; an error the module throws is passed on as it
 * is (a `WeftError` keeps its class and message), others with the module's line added.
 */
export async function evaluateSpecModule(source: string, modules: SpecModules): Promise<SpecExport> {
  const code = await transpileSpecModule(source);
  const module: { exports: Record<string, unknown> } = { exports: {} };
  const require = (specifier: string): unknown => {
    if (!Object.hasOwn(modules, specifier)) {
      throw new SpecError(`the spec imports "${specifier}", which the playground does not provide`, {
        expected: Object.keys(modules).join(', '),
        actual: specifier,
      });
    }
    return modules[specifier];
  };
  let body: (...args: unknown[]) => void;
  try {
    body = new Function('require', 'exports', 'module', `${code}\n//# sourceURL=${MODULE_URL}`) as never;
  } catch (error) {
    // Sucrase's parser lets a few errors through (`f(a,, b)`) that the engine then refuses.
    if (error instanceof SyntaxError) throw await engineSyntaxError(source, code, error);
    throw error;
  }
  try {
    // The module's own scope: only `require`, `exports` and `module` are given to it.
    body(require, module.exports, module);
  } catch (error) {
    throw WeftError.isInstance(error) ? error : withModuleLine(error);
  }
  const exported = module.exports;
  for (const name of ['default', 'spec']) {
    if (Object.hasOwn(exported, name)) return { name, value: exported[name] };
  }
  const names = Object.keys(exported).filter((name) => name !== '__esModule');
  throw new SpecError('the TypeScript spec exports no spec: write `export default <spec>`', {
    expected: 'a default export (or an export named spec)',
    actual: names.length === 0 ? 'no exports' : `exports ${names.join(', ')}`,
  });
}

/**
 * A syntax error that only the engine found, located by Acorn in the transpiled code: its line is
 * the spec's (Sucrase keeps lines), its column too where transpiling left that line as it was.
 */
async function engineSyntaxError(source: string, code: string, error: SyntaxError): Promise<SpecError> {
  const { parse } = await import('acorn');
  let where = '';
  try {
    parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true });
  } catch (parseError) {
    const loc = (parseError as { loc?: { line: number; column: number } }).loc;
    if (loc !== undefined) {
      const unchanged = source.split('\n')[loc.line - 1] === code.split('\n')[loc.line - 1];
      where = unchanged ? ` (line ${loc.line}, column ${loc.column + 1})` : ` (line ${loc.line})`;
    }
  }
  return new SpecError(`the TypeScript spec does not parse: ${error.message}${where}`);
}

/** An error thrown by the module's code, its message ending with the module line it came from. */
function withModuleLine(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(`the spec threw ${String(error)}`);
  const frame = new RegExp(`${MODULE_URL.replace('.', '\\.')}:(\\d+):\\d+`).exec(error.stack ?? '');
  if (frame === null) return error;
  // `new Function` puts two lines (its signature) before the body; Sucrase keeps the lines (not
  // the columns: it rewrites imported names).
  error.message = `${error.message} (line ${Number(frame[1]) - 2} of the spec)`;
  return error;
}
