const WEFT_ERROR_BRAND = Symbol.for('weft.error');

/** Where in a user's model an error arose, and on what. Every field is optional; fill what is known. */
export interface WeftErrorContext {
  /** Path of the block being built or lowered, e.g. `layers.3.attn`. */
  readonly block?: string;
  /** Name of the tensor involved, e.g. `q` or `weights.ln1.gamma`. */
  readonly tensor?: string;
  /** The dimension involved (axis index or name). */
  readonly dimension?: string | number;
  /** What was expected. */
  readonly expected?: unknown;
  /** What was found. */
  readonly actual?: unknown;
}

/**
 * Base class of every error Weft throws on purpose. Messages name the block path, tensor,
 * dimension, and the expected and actual values, e.g.
 * `attention "layers.3.attn": kvHeads (3) must divide heads (8)`.
 *
 * Use {@link WeftError.isInstance} rather than `instanceof`: it works across duplicated
 * package copies and realms.
 */
export class WeftError extends Error {
  /** Machine-readable category, stable across versions (e.g. `shape`, `dtype`, `spec`). */
  readonly code: string;
  /** The structured context the message was built from. */
  readonly context: WeftErrorContext;
  readonly [WEFT_ERROR_BRAND] = true;

  constructor(code: string, message: string, context: WeftErrorContext = {}, options?: ErrorOptions) {
    super(formatMessage(message, context), options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }

  /** Whether `value` is a Weft error (of any subclass), by brand. */
  static isInstance(value: unknown): value is WeftError {
    return typeof value === 'object' && value !== null && WEFT_ERROR_BRAND in value;
  }
}

/** A tensor's shape does not satisfy an op's or block's rule. */
export class ShapeError extends WeftError {
  constructor(message: string, context: WeftErrorContext = {}) {
    super('shape', message, context);
  }
}

/** A tensor's dtype is not accepted where it is used. */
export class DTypeError extends WeftError {
  constructor(message: string, context: WeftErrorContext = {}) {
    super('dtype', message, context);
  }
}

/** A declarative spec (block, attention variant, JSON document) is invalid. */
export class SpecError extends WeftError {
  constructor(message: string, context: WeftErrorContext = {}) {
    super('spec', message, context);
  }
}

/** A graph breaks an IR invariant (found by `verify()`), or a pass produced an invalid graph. */
export class GraphError extends WeftError {
  constructor(message: string, context: WeftErrorContext = {}) {
    super('graph', message, context);
  }
}

/** Run-time input (tensor data, dim bindings) does not match what a program was compiled for. */
export class InputError extends WeftError {
  constructor(message: string, context: WeftErrorContext = {}) {
    super('input', message, context);
  }
}

/** Something is not supported (yet) by this backend, template or device. */
export class UnsupportedError extends WeftError {
  constructor(message: string, context: WeftErrorContext = {}) {
    super('unsupported', message, context);
  }
}

/** A model or program would need more memory than the device (or the CPU backend) allows. */
export class MemoryLimitError extends WeftError {
  constructor(message: string, context: WeftErrorContext = {}) {
    super('memory-limit', message, context);
  }
}

function formatMessage(message: string, context: WeftErrorContext): string {
  const where: string[] = [];
  if (context.block !== undefined) where.push(`block "${context.block}"`);
  if (context.tensor !== undefined) where.push(`tensor "${context.tensor}"`);
  if (context.dimension !== undefined) where.push(`dim ${String(context.dimension)}`);
  const prefix = where.length > 0 ? `${where.join(', ')}: ` : '';
  const detail: string[] = [];
  if ('expected' in context) detail.push(`expected ${show(context.expected)}`);
  if ('actual' in context) detail.push(`got ${show(context.actual)}`);
  return detail.length > 0 ? `${prefix}${message} (${detail.join(', ')})` : `${prefix}${message}`;
}

const RAW = '\u{1F}weft-raw:';

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  try {
    // JSON would print NaN and ±Infinity as null and cannot print a BigInt: print them as JS does.
    const json = JSON.stringify(value, (_key, item: unknown) =>
      (typeof item === 'number' && !Number.isFinite(item)) || typeof item === 'bigint'
        ? `${RAW}${String(item)}`
        : item,
    );
    if (json === undefined) return String(value);
    return json.replace(/"\\u001fweft-raw:([^"]*)"/g, (_match, raw: string) => raw);
  } catch {
    return String(value);
  }
}
