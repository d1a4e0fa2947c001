/**
 * Checks of generated WGSL for readers, used by tests over a corpus of kernels: every declared
 * identifier is read, no line is too long, no `var` is initialized only to be overwritten.
 *
 * A small token scanner, not a WGSL parser: it knows declarations (`let`, `var`, `const`,
 * `override`, `fn` and its parameters, `struct`, module-scope bindings), block scopes and plain
 * assignments, which is what generated code needs.
 */

/** One finding. */
export interface WgslFinding {
  /** 1-based line number. */
  readonly line: number;
  /** What is wrong, naming the identifier. */
  readonly message: string;
}

/**
 * Declared identifiers that are never read: a `let` or `var` whose value no expression uses (a
 * `var` or workgroup array only assigned to counts as unread), a function never called, a
 * parameter its function ignores, a storage or uniform binding no code reads or stores to.
 */
export function unreadIdentifiers(wgsl: string): WgslFinding[] {
  const tokens = tokenize(wgsl);
  const findings: WgslFinding[] = [];
  for (const declaration of declarations(tokens)) {
    if (!isRead(tokens, declaration)) {
      findings.push({
        line: tokens[declaration.token]!.line,
        message: `${declaration.kind} ${declaration.name} is never read`,
      });
    }
  }
  return findings;
}

/** Lines longer than `limit` characters. */
export function longLines(wgsl: string, limit = 120): WgslFinding[] {
  return wgsl
    .split('\n')
    .flatMap((text, index) =>
      text.length > limit
        ? [{ line: index + 1, message: `line of ${text.length} characters (limit ${limit})` }]
        : [],
    );
}

/** `var x = <literal>;` directly followed by `x = ...;`: the initializer is dead, and a `let` says more. */
export function overwrittenInitializers(wgsl: string): WgslFinding[] {
  const lines = wgsl.split('\n');
  const findings: WgslFinding[] = [];
  lines.forEach((text, index) => {
    const match = /^\s*var (\w+)(?::\s*\w+)? = [-\d.eu]+;$/.exec(text);
    const next = lines[index + 1];
    if (match !== null && next !== undefined && new RegExp(`^\\s*${match[1]} = `).test(next)) {
      findings.push({ line: index + 1, message: `var ${match[1]} is initialized, then overwritten` });
    }
  });
  return findings;
}

/** Every finding of the three checks, formatted `line N: message`. */
export function lintWgsl(wgsl: string, options: { readonly lineLimit?: number } = {}): string[] {
  return [...unreadIdentifiers(wgsl), ...longLines(wgsl, options.lineLimit), ...overwrittenInitializers(wgsl)]
    .sort((a, b) => a.line - b.line)
    .map((finding) => `line ${finding.line}: ${finding.message}`);
}

// ---------------------------------------------------------------------------------------------
// Implementation

interface Token {
  readonly text: string;
  readonly line: number;
  /** Brace depth before the token. */
  readonly depth: number;
  /** Whether the previous token is `.` (a member name, not a reference). */
  readonly member: boolean;
}

interface Declaration {
  readonly name: string;
  readonly kind: string;
  /** Index of the name token. */
  readonly token: number;
  /** Index of the first token where the name is in scope. */
  readonly from: number;
  /** Index past the last token of its scope. */
  readonly to: number;
}

function tokenize(wgsl: string): Token[] {
  const source = wgsl.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '));
  const tokens: Token[] = [];
  let depth = 0;
  source.split('\n').forEach((text, index) => {
    const code = text.replace(/\/\/.*$/, '');
    for (const match of code.matchAll(/\d[\w.]*|[A-Za-z_]\w*|\S/g)) {
      const previous = tokens[tokens.length - 1];
      tokens.push({ text: match[0], line: index + 1, depth, member: previous?.text === '.' });
      if (match[0] === '{') depth++;
      if (match[0] === '}') depth--;
    }
  });
  return tokens;
}

const IDENTIFIER = /^[A-Za-z_]\w*$/;

function declarations(tokens: readonly Token[]): Declaration[] {
  const found: Declaration[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.member) continue;
    if (['let', 'var', 'const', 'override'].includes(token.text)) {
      let at = index + 1;
      if (tokens[at]?.text === '<') at = skipBalanced(tokens, at, '<', '>');
      const name = tokens[at];
      if (name === undefined || !IDENTIFIER.test(name.text)) continue;
      const moduleScope = token.depth === 0;
      const storage = tokens[index + 2]?.text === 'storage' || tokens[index + 2]?.text === 'uniform';
      found.push({
        name: name.text,
        kind: moduleScope && token.text === 'var' ? (storage ? 'binding' : 'workgroup var') : token.text,
        token: at,
        from: moduleScope ? 0 : at + 1,
        to: moduleScope ? tokens.length : blockEnd(tokens, at),
      });
    } else if (token.text === 'struct' && token.depth === 0) {
      found.push({
        name: tokens[index + 1]!.text,
        kind: 'struct',
        token: index + 1,
        from: 0,
        to: tokens.length,
      });
    } else if (token.text === 'fn' && token.depth === 0) {
      const name = tokens[index + 1]!;
      const open = index + 2;
      const close = skipBalanced(tokens, open, '(', ')');
      let body = close;
      while (body < tokens.length && tokens[body]!.text !== '{') body++;
      const bodyEnd = skipBalanced(tokens, body, '{', '}');
      if (name.text !== 'main' && !isEntryPoint(tokens, index)) {
        found.push({ name: name.text, kind: 'fn', token: index + 1, from: 0, to: tokens.length });
      }
      for (let at = open + 1; at < close; at++) {
        const parameter = tokens[at]!;
        const before = tokens[at - 1]!.text;
        if (
          IDENTIFIER.test(parameter.text) &&
          tokens[at + 1]?.text === ':' &&
          (before === '(' || before === ',')
        )
          found.push({ name: parameter.text, kind: 'parameter', token: at, from: body, to: bodyEnd });
        if (parameter.text === '@')
          at = tokens[at + 2]?.text === '(' ? skipBalanced(tokens, at + 2, '(', ')') - 1 : at + 1;
      }
    }
  }
  return found;
}

function isEntryPoint(tokens: readonly Token[], fnToken: number): boolean {
  for (let at = fnToken - 1; at >= 0 && at >= fnToken - 12; at--) {
    const text = tokens[at]!.text;
    if (text === 'compute' || text === 'vertex' || text === 'fragment') return true;
    if (text === ';' || text === '}') return false;
  }
  return false;
}

/** Index past the token that closes the bracket opened at `open`. */
function skipBalanced(tokens: readonly Token[], open: number, left: string, right: string): number {
  let depth = 0;
  for (let at = open; at < tokens.length; at++) {
    if (tokens[at]!.text === left) depth++;
    if (tokens[at]!.text === right && --depth === 0) return at + 1;
  }
  return tokens.length;
}

/** Index of the `}` closing the block that contains token `at`. */
function blockEnd(tokens: readonly Token[], at: number): number {
  const depth = tokens[at]!.depth;
  for (let index = at + 1; index < tokens.length; index++) if (tokens[index]!.depth < depth) return index;
  return tokens.length;
}

function isRead(tokens: readonly Token[], declaration: Declaration): boolean {
  let shadowDepth: number | undefined;
  for (let at = declaration.from; at < declaration.to; at++) {
    const token = tokens[at]!;
    if (shadowDepth !== undefined) {
      if (token.depth < shadowDepth) shadowDepth = undefined;
      else continue;
    }
    if (at === declaration.token || token.text !== declaration.name || token.member) continue;
    const previous = tokens[at - 1]?.text;
    if (
      at > declaration.token &&
      (previous === 'let' || previous === 'var' || previous === 'const') &&
      token.depth > tokens[declaration.token]!.depth
    ) {
      shadowDepth = token.depth;
      continue;
    }
    if (previous === 'fn' || previous === 'struct' || previous === 'let' || previous === 'var') continue;
    if (previous === '>' && isBindingName(tokens, at)) continue;
    // A storage binding is used when it is stored to; any other variable must be read.
    if (declaration.kind === 'binding' || !isAssignmentTarget(tokens, at)) return true;
  }
  return false;
}

/** `var<...> name` at module scope: the declaration of another binding of the same name. */
function isBindingName(tokens: readonly Token[], at: number): boolean {
  for (let index = at - 1; index >= 0 && index >= at - 8; index--)
    if (tokens[index]!.text === 'var') return true;
  return false;
}

/** `name = ...` or `name[...] = ...` (a plain store, not `==`). */
function isAssignmentTarget(tokens: readonly Token[], at: number): boolean {
  const previous = tokens[at - 1]?.text;
  if (previous !== undefined && previous !== ';' && previous !== '{' && previous !== '}') return false;
  let next = at + 1;
  while (tokens[next]?.text === '[') next = skipBalanced(tokens, next, '[', ']');
  return tokens[next]?.text === '=' && tokens[next + 1]?.text !== '=';
}

/** A generated kernel, as far as {@link lintKernels} needs it. */
export interface LintedKernel {
  readonly label: string;
  readonly wgsl: string;
  readonly kernel: { readonly template: string };
}

/**
 * Lints every kernel; findings of kernels whose template is in `knownExceptions` are set apart
 * (`excused`) rather than failing. Each finding reads `<kernel label> line N: message`.
 */
export function lintKernels(
  kernels: readonly LintedKernel[],
  knownExceptions: ReadonlySet<string> = new Set(),
): { readonly findings: string[]; readonly excused: string[] } {
  const findings: string[] = [];
  const excused: string[] = [];
  for (const kernel of kernels) {
    const found = lintWgsl(kernel.wgsl).map((finding) => `${kernel.label} ${finding}`);
    (knownExceptions.has(kernel.kernel.template) ? excused : findings).push(...found);
  }
  return { findings, excused };
}
