import {
  type BinaryFunction,
  binary,
  cast,
  constant,
  type Expr,
  read,
  select,
  type UnaryFunction,
  unary,
  variable,
} from './expr.js';

/**
 * Rebuilds `expr` bottom-up, replacing every node for which `replace` returns an Expr (its
 * operands are not visited further). Shared subexpressions are rewritten once.
 *
 * @example
 * ```ts fragment
 * // Inline operand 0 of a map body as a tensor read at the output index.
 * substituteExpr(body, (e) => (e.kind === 'var' && e.payload === '$0' ? read('$0', index) : undefined));
 * ```
 */
export function substituteExpr(expr: Expr, replace: (expr: Expr) => Expr | undefined): Expr {
  const memo = new Map<Expr, Expr>();
  const visit = (node: Expr): Expr => {
    const done = memo.get(node);
    if (done !== undefined) return done;
    const replaced = replace(node);
    const result = replaced ?? rebuildExpr(node, node.args.map(visit));
    memo.set(node, result);
    return result;
  };
  return visit(expr);
}

/** A node like `expr` with operands `args` (the same object when nothing changed). */
export function rebuildExpr(expr: Expr, args: readonly Expr[]): Expr {
  if (args.every((arg, i) => arg === expr.args[i])) return expr;
  switch (expr.kind) {
    case 'const':
      return constant(Number(expr.payload), expr.dtype);
    case 'var':
      return variable(String(expr.payload), expr.dtype);
    case 'read':
      return read(String(expr.payload), args, expr.dtype);
    case 'unary':
      return unary(expr.payload as UnaryFunction, args[0]!);
    case 'binary':
      return binary(expr.payload as BinaryFunction, args[0]!, args[1]!);
    case 'select':
      return select(args[0]!, args[1]!, args[2]!);
    case 'cast':
      return cast(args[0]!, expr.dtype);
  }
}

/** Every distinct node of `expr` (operands before users). */
export function exprNodes(expr: Expr): Expr[] {
  const order: Expr[] = [];
  const seen = new Set<Expr>();
  const visit = (node: Expr): void => {
    if (seen.has(node)) return;
    seen.add(node);
    node.args.forEach(visit);
    order.push(node);
  };
  visit(expr);
  return order;
}

/** The variables `expr` uses, by name. */
export function exprVariables(expr: Expr): Map<string, Expr> {
  const variables = new Map<string, Expr>();
  for (const node of exprNodes(expr)) if (node.kind === 'var') variables.set(String(node.payload), node);
  return variables;
}
