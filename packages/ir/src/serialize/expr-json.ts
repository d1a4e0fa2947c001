import { DTYPES, type DType } from '../dtype.js';
import {
  BINARY_FUNCTIONS,
  binary,
  cast,
  constant,
  type Expr,
  type ExprKind,
  read,
  select,
  UNARY_FUNCTIONS,
  unary,
  variable,
} from '../expr/expr.js';
import { exprNodes } from '../expr/substitute-expr.js';
import { jsonError, type NumberJSON, numberFromJSON, numberToJSON } from './json-number.js';

/** One Expr node in graph JSON; `args` index earlier entries of the same table. */
export interface ExprJSON {
  /** Node kind. */
  readonly kind: ExprKind;
  /** Result dtype. */
  readonly dtype: DType;
  /** Literal value, variable/tensor name or function name (empty for select and cast). */
  readonly payload: string | NumberJSON;
  /** Operands, as indices into the Expr table. */
  readonly args: readonly number[];
}

/** Collects Exprs into a shared table (operands first), so shared subexpressions are stored once. */
export class ExprTableWriter {
  /** The table, in dependency order. */
  readonly entries: ExprJSON[] = [];
  private readonly ids = new Map<Expr, number>();

  /** Adds `expr` (and its operands) and returns its index. */
  add(expr: Expr): number {
    for (const node of exprNodes(expr)) {
      if (this.ids.has(node)) continue;
      const payload = node.kind === 'const' ? numberToJSON(Number(node.payload)) : String(node.payload);
      this.entries.push({
        kind: node.kind,
        dtype: node.dtype,
        payload,
        args: node.args.map((arg) => this.ids.get(arg)!),
      });
      this.ids.set(node, this.entries.length - 1);
    }
    return this.ids.get(expr)!;
  }
}

/** Rebuilds the Expr table of a graph JSON document; `path` is the table's JSON path. */
export function exprTableFromJSON(value: unknown, path: string): Expr[] {
  if (!Array.isArray(value)) throw jsonError(path, 'an array of Exprs', value);
  const table: Expr[] = [];
  value.forEach((entry: unknown, i) => {
    table.push(exprFromJSON(entry, table, `${path}[${i}]`));
  });
  return table;
}

function exprFromJSON(entry: unknown, table: readonly Expr[], path: string): Expr {
  if (typeof entry !== 'object' || entry === null) throw jsonError(path, 'an Expr object', entry);
  const { kind, dtype, payload, args } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype))
    throw jsonError(`${path}.dtype`, 'a dtype', dtype);
  if (!Array.isArray(args)) throw jsonError(`${path}.args`, 'an array of Expr indices', args);
  const operands = args.map((arg: unknown, i) => {
    const operand = typeof arg === 'number' ? table[arg] : undefined;
    if (operand === undefined) throw jsonError(`${path}.args[${i}]`, `an index below ${table.length}`, arg);
    return operand;
  });
  const arity = ARITY[kind as ExprKind];
  if (arity !== undefined && operands.length !== arity)
    throw jsonError(`${path}.args`, `${arity} operands`, args.length);
  const name = (): string => {
    if (typeof payload !== 'string' || payload.length === 0)
      throw jsonError(`${path}.payload`, 'a name', payload);
    return payload;
  };
  const typed = dtype as DType;
  switch (kind) {
    case 'const':
      return constant(numberFromJSON(payload, `${path}.payload`), typed);
    case 'var':
      return variable(name(), typed);
    case 'read':
      return read(name(), operands, typed);
    case 'unary':
      if (!(UNARY_FUNCTIONS as readonly string[]).includes(name()))
        throw jsonError(`${path}.payload`, 'a unary function', payload);
      return unary(payload as (typeof UNARY_FUNCTIONS)[number], operands[0]!);
    case 'binary':
      if (!(BINARY_FUNCTIONS as readonly string[]).includes(name()))
        throw jsonError(`${path}.payload`, 'a binary function', payload);
      return binary(payload as (typeof BINARY_FUNCTIONS)[number], operands[0]!, operands[1]!);
    case 'select':
      return select(operands[0]!, operands[1]!, operands[2]!);
    case 'cast':
      return cast(operands[0]!, typed);
    default:
      throw jsonError(`${path}.kind`, 'const, var, read, unary, binary, select or cast', kind);
  }
}

const ARITY: Partial<Record<ExprKind, number>> = {
  const: 0,
  var: 0,
  unary: 1,
  binary: 2,
  select: 3,
  cast: 1,
};
