import { type DType, type Expr, isFloat, isInteger, simplifyExpr, UnsupportedError } from '@weft/ir';
import { namedConstant } from './named-constants.js';
import type { HelperSet } from './wgsl-helpers.js';
import { formatLiteral, wgslType } from './wgsl-types.js';

/** How free names of an expression become WGSL text. */
export interface ExprEnvironment {
  /** Helpers used by the printed code are added here. */
  readonly helpers: HelperSet;
  /** WGSL text of variable `name` (index variables, row statistics, `dim:<name>` sizes). */
  variable(name: string, dtype: DType): string;
  /** WGSL text loading element `indexTexts` of tensor `tensor` (reads resolved by the composer). */
  read(tensor: string, indexTexts: readonly string[], dtype: DType): string;
  /** Prefix of `let` names, so several renderings in one function never collide. */
  readonly letPrefix: string;
}

/** Statements that bind shared subexpressions, and the WGSL text of each root. */
export interface RenderedExprs {
  /** `let` statements, in dependency order. */
  readonly lines: string[];
  /** One WGSL expression per root. */
  readonly values: string[];
}

/**
 * Prints Exprs as WGSL. Exprs are hash-consed, so identity is structural equality: a
 * non-trivial subexpression used more than once (across all roots) is bound once with `let`,
 * one used once is inlined, unless an expression would print longer than 80 characters: then its
 * longest operand is named too, so that generated lines stay under 120 characters. Operators nested in operators are parenthesized. Integer index
 * arithmetic is folded first by `simplifyExpr` (`h * 8 / 8` prints as `h`).
 *
 * @example
 * ```ts
 * const x = variable('x');
 * renderExprs([x.add(1).mul(x.add(1))], environment);
 * // lines: ['let v0: f32 = x + 1.0;'], values: ['v0 * v0']
 * ```
 */
export function renderExprs(rawRoots: readonly Expr[], environment: ExprEnvironment): RenderedExprs {
  const roots = rawRoots.map(simplifyExpr);
  const uses = countUses(roots);
  // Operands named although used once, so that no statement's expression grows past
  // LONG_EXPRESSION characters: the longest operand of a long expression, until none is long.
  const named = new Set<Expr>();
  for (let attempt = 0; ; attempt++) {
    const printer = new Printer(uses, environment, named);
    const values = roots.map((root) => printer.text(root).text);
    const long = [...new Set([...printer.bound, ...roots])].filter(
      (expr) => printer.inlineText(expr).length > LONG_EXPRESSION,
    );
    let added = false;
    for (const expr of long) {
      const operand = printer.longestOperand(expr);
      if (operand !== undefined && !named.has(operand)) {
        named.add(operand);
        added = true;
      }
    }
    if (!added || attempt === 16) return { lines: printer.lines, values };
  }
}

interface Printed {
  readonly text: string;
  /** Whether the text is an operator expression that needs parentheses as an operand. */
  readonly compound: boolean;
}

function countUses(roots: readonly Expr[]): Map<Expr, number> {
  const uses = new Map<Expr, number>();
  const visit = (expr: Expr, weight: number): void => {
    const seen = uses.has(expr);
    uses.set(expr, (uses.get(expr) ?? 0) + weight);
    if (seen) return;
    // pow(x, 2) prints as x * x: count its base twice so that it gets a name.
    const square = isSquare(expr);
    expr.args.forEach((argument, position) => {
      visit(argument, square && position === 0 ? 2 : 1);
    });
  };
  for (const root of roots) visit(root, 1);
  return uses;
}

function isSquare(expr: Expr): boolean {
  const exponent = expr.args[1];
  return (
    expr.kind === 'binary' && expr.payload === 'pow' && exponent?.kind === 'const' && exponent.payload === 2
  );
}

const OPERATORS: Readonly<Record<string, string>> = {
  add: '+',
  sub: '-',
  mul: '*',
  div: '/',
  mod: '%',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
  eq: '==',
  ne: '!=',
  and: '&&',
  or: '||',
};

/** Unary functions printed as a call of a polyfill helper (computed in f32). */
const HELPER_FUNCTIONS: Readonly<Record<string, string>> = {
  erf: 'weft_erf',
  gelu: 'weft_gelu',
  geluTanh: 'weft_gelu_tanh',
  sigmoid: 'weft_sigmoid',
  softplus: 'weft_softplus',
  silu: 'weft_silu',
  log1p: 'weft_log1p',
  expm1: 'weft_expm1',
  tanh: 'weft_tanh',
  sin: 'weft_sin',
  cos: 'weft_cos',
};

/** Unary functions that are WGSL builtins of the same meaning. */
const BUILTIN_FUNCTIONS: Readonly<Record<string, string>> = {
  abs: 'abs',
  floor: 'floor',
  ceil: 'ceil',
  round: 'round',
  exp: 'exp',
  log: 'log',
  sqrt: 'sqrt',
  rsqrt: 'inverseSqrt',
  sign: 'sign',
};

/** Characters beyond which an expression has its longest operand bound with `let` (lines stay under 120). */
const LONG_EXPRESSION = 80;

class Printer {
  readonly lines: string[] = [];
  private readonly printed = new Map<Expr, Printed>();
  private nextLet = 0;

  /** Exprs bound with `let`, in order. */
  readonly bound: Expr[] = [];
  private readonly inlined = new Map<Expr, string>();

  constructor(
    private readonly uses: ReadonlyMap<Expr, number>,
    private readonly environment: ExprEnvironment,
    private readonly named: ReadonlySet<Expr>,
  ) {}

  /** The text of `expr` itself, before any `let` name replaced it. */
  inlineText(expr: Expr): string {
    return this.inlined.get(expr) ?? '';
  }

  /** The operand of `expr` with the longest text that is not a literal, variable or name already. */
  longestOperand(expr: Expr): Expr | undefined {
    let best: Expr | undefined;
    for (const operand of expr.args) {
      if (operand.kind === 'const' || operand.kind === 'var' || this.bound.includes(operand)) continue;
      if (best === undefined || this.inlineText(operand).length > this.inlineText(best).length)
        best = operand;
    }
    return best;
  }

  text(expr: Expr): Printed {
    const existing = this.printed.get(expr);
    if (existing !== undefined) return existing;
    let result = this.inline(expr);
    this.inlined.set(expr, result.text);
    const shared = (this.uses.get(expr) ?? 0) > 1 || this.named.has(expr);
    if (shared && expr.kind !== 'const' && expr.kind !== 'var') {
      this.bound.push(expr);
      const name = `${this.environment.letPrefix}${this.nextLet++}`;
      this.lines.push(`let ${name}: ${wgslType(expr.dtype)} = ${result.text};`);
      result = { text: name, compound: false };
    }
    this.printed.set(expr, result);
    return result;
  }

  private operand(expr: Expr): string {
    const printed = this.text(expr);
    return printed.compound ? `(${printed.text})` : printed.text;
  }

  private inline(expr: Expr): Printed {
    switch (expr.kind) {
      case 'const': {
        const value = Number(expr.payload);
        const named = isFloat(expr.dtype) ? namedConstant(value) : undefined;
        if (named !== undefined) {
          this.environment.helpers.addConstant(named);
          return value < 0
            ? { text: `-${named.name}`, compound: true }
            : { text: named.name, compound: false };
        }
        const needed = new Set<string>();
        const text = formatLiteral(Number(expr.payload), expr.dtype, needed);
        for (const name of needed) this.environment.helpers.add(name);
        return { text, compound: text.startsWith('-') };
      }
      case 'var':
        return { text: this.environment.variable(String(expr.payload), expr.dtype), compound: false };
      case 'read': {
        const indices = expr.args.map((index) => this.text(index).text);
        return { text: this.environment.read(String(expr.payload), indices, expr.dtype), compound: false };
      }
      case 'cast':
        return { text: `${wgslType(expr.dtype)}(${this.text(expr.args[0]!).text})`, compound: false };
      case 'select': {
        const [condition, ifTrue, ifFalse] = expr.args.map((argument) => this.text(argument).text);
        return { text: `select(${ifFalse}, ${ifTrue}, ${condition})`, compound: false };
      }
      case 'unary':
        return this.unary(String(expr.payload), expr.args[0]!);
      case 'binary':
        return this.binary(String(expr.payload), expr.args[0]!, expr.args[1]!, expr.dtype);
    }
  }

  private unary(fn: string, operand: Expr): Printed {
    const dtype = operand.dtype;
    const typeName = wgslType(dtype);
    if (fn === 'neg') {
      return dtype === 'u32'
        ? { text: `0u - ${this.operand(operand)}`, compound: true }
        : { text: `-${this.operand(operand)}`, compound: true };
    }
    if (fn === 'not') return { text: `!${this.operand(operand)}`, compound: true };
    if (fn === 'isNan') {
      if (!isFloat(dtype)) return { text: 'false', compound: false };
      this.environment.helpers.add('weft_is_nan');
      return { text: `weft_is_nan(${this.asF32(operand)})`, compound: false };
    }
    if (fn === 'recip')
      return { text: `${formatLiteral(1, dtype, new Set())} / ${this.operand(operand)}`, compound: true };
    if (fn === 'relu')
      return {
        text: `max(${this.text(operand).text}, ${formatLiteral(0, dtype, new Set())})`,
        compound: false,
      };
    if (isInteger(dtype) && (fn === 'floor' || fn === 'ceil' || fn === 'round')) return this.text(operand);
    if (dtype === 'u32' && fn === 'abs') return this.text(operand);
    if (dtype === 'u32' && fn === 'sign')
      return { text: `select(0u, 1u, ${this.operand(operand)} > 0u)`, compound: false };
    const builtin = BUILTIN_FUNCTIONS[fn];
    const helper = HELPER_FUNCTIONS[fn];
    if (builtin !== undefined && (isFloat(dtype) || fn === 'abs' || fn === 'sign')) {
      return { text: `${builtin}(${this.text(operand).text})`, compound: false };
    }
    if (helper !== undefined && isFloat(dtype)) {
      this.environment.helpers.add(helper);
      const call = `${helper}(${this.asF32(operand)})`;
      return { text: dtype === 'f32' ? call : `${typeName}(${call})`, compound: false };
    }
    throw new UnsupportedError(`unary function "${fn}" is not defined on ${dtype} in WGSL`, {
      expected: 'a float operand',
      actual: dtype,
    });
  }

  private binary(fn: string, left: Expr, right: Expr, dtype: DType): Printed {
    const operator = OPERATORS[fn];
    if (operator !== undefined)
      return { text: `${this.operand(left)} ${operator} ${this.operand(right)}`, compound: true };
    if (fn === 'min' || fn === 'max')
      return { text: `${fn}(${this.text(left).text}, ${this.text(right).text})`, compound: false };
    // pow: exact forms for common constant exponents, else the polyfill.
    if (right.kind === 'const' && isFloat(dtype)) {
      const exponent = Number(right.payload);
      if (exponent === 1) return this.text(left);
      if (exponent === 2) return { text: `${this.operand(left)} * ${this.operand(left)}`, compound: true };
      if (exponent === 0.5) return { text: `sqrt(${this.text(left).text})`, compound: false };
      if (exponent === -0.5) return { text: `inverseSqrt(${this.text(left).text})`, compound: false };
    }
    if (!isFloat(dtype)) {
      throw new UnsupportedError('pow is defined on float operands only in WGSL', {
        expected: 'f32 or f16',
        actual: dtype,
      });
    }
    this.environment.helpers.add('weft_pow');
    const call = `weft_pow(${this.asF32(left)}, ${this.asF32(right)})`;
    return { text: dtype === 'f32' ? call : `${wgslType(dtype)}(${call})`, compound: false };
  }

  private asF32(expr: Expr): string {
    const text = this.text(expr).text;
    return expr.dtype === 'f32' ? text : `f32(${text})`;
  }
}
