import type { DType } from '../dtype.js';
import { SpecError } from '../errors.js';
import type { BinaryFunction, Expr, UnaryFunction } from './expr.js';
import { applyBinary, applyCast, applyUnary } from './scalar-functions.js';

/** Values an Expr is evaluated against. */
export interface ExprEnv {
  /** Values of the Expr's variables, by name (index variables, hole inputs, `dim:<name>` sizes). */
  readonly variables?: Readonly<Record<string, number>>;
  /** Reads element `index` of captured tensor `tensor` (called only for `read` nodes). */
  readonly read?: (tensor: string, index: readonly number[]) => number;
}

/** An Expr compiled to a JS closure; evaluate it many times with different environments. */
export type CompiledExpr = (env: ExprEnv) => number;

/** Options of {@link compileExpr}. */
export interface CompileExprOptions {
  /**
   * `f64` (default): every node in float64. `f32`: the result of every f32 (and f16) node — constant,
   * read, variable, function, cast — is rounded to f32 with `Math.fround`, as an f32 evaluation
   * of the Expr one operation at a time would produce it. Each function is still computed in
   * float64 and rounded once: a correctly rounded f32 function, at least as accurate as any f32 library.
   */
  readonly precision?: 'f64' | 'f32';
}

/**
 * Evaluates `expr` in float64 with the reference semantics of every function
 * (see `applyUnary`/`applyBinary`/`applyCast`). `select` evaluates only the branch it takes.
 * Throws a {@link SpecError} naming a variable that `env` does not bind.
 *
 * @example
 * ```ts
 * evaluateExpr(variable('x').mul(2).add(1), { variables: { x: 3 } }); // 7
 * ```
 */
export function evaluateExpr(expr: Expr, env: ExprEnv = {}): number {
  return compileExpr(expr)(env);
}

/** Compiles `expr` once into a closure tree, for evaluating it at many points (the interpreter's inner loop). */
export function compileExpr(expr: Expr, options: CompileExprOptions = {}): CompiledExpr {
  return compileNode(expr, new Map(), options.precision === 'f32');
}

const roundsToF32 = (dtype: DType): boolean => dtype === 'f32' || dtype === 'f16';

function compileNode(expr: Expr, cache: Map<Expr, CompiledExpr>, f32: boolean): CompiledExpr {
  const cached = cache.get(expr);
  if (cached !== undefined) return cached;
  const args = expr.args.map((arg) => compileNode(arg, cache, f32));
  const exact = compileKind(expr, args);
  const compiled: CompiledExpr =
    f32 && expr.kind !== 'select' && roundsToF32(expr.dtype) ? (env) => Math.fround(exact(env)) : exact;
  cache.set(expr, compiled);
  return compiled;
}

function compileKind(expr: Expr, args: readonly CompiledExpr[]): CompiledExpr {
  switch (expr.kind) {
    case 'const': {
      const value = Number(expr.payload);
      return () => value;
    }
    case 'var': {
      const name = String(expr.payload);
      return (env) => {
        const value = env.variables?.[name];
        if (value === undefined) throw unboundVariable(name);
        return value;
      };
    }
    case 'read': {
      const tensor = String(expr.payload);
      return (env) => {
        if (env.read === undefined)
          throw new SpecError('Expr reads a tensor but no tensors are bound', { tensor });
        return env.read(
          tensor,
          args.map((arg) => arg(env)),
        );
      };
    }
    case 'unary': {
      const [operand] = args as [CompiledExpr];
      const fn = expr.payload as UnaryFunction;
      const dtype = expr.args[0]!.dtype;
      return (env) => applyUnary(fn, operand(env), dtype);
    }
    case 'binary': {
      const [left, right] = args as [CompiledExpr, CompiledExpr];
      const fn = expr.payload as BinaryFunction;
      const dtype = expr.args[0]!.dtype;
      return (env) => applyBinary(fn, left(env), right(env), dtype);
    }
    case 'select': {
      const [condition, ifTrue, ifFalse] = args as [CompiledExpr, CompiledExpr, CompiledExpr];
      return (env) => (condition(env) !== 0 ? ifTrue(env) : ifFalse(env));
    }
    case 'cast': {
      const [operand] = args as [CompiledExpr];
      const from = expr.args[0]!.dtype;
      const to = expr.dtype;
      return (env) => applyCast(operand(env), from, to);
    }
  }
}

function unboundVariable(name: string): SpecError {
  return new SpecError('Expr variable is not bound', { tensor: name, expected: 'a value for the variable' });
}
