import { SpecError, UnsupportedError } from '@weft/ir';

/**
 * Reads the fields of a Hugging Face `config.json` one by one, remembering which were read, so
 * that a field no mapping read is reported instead of being silently ignored.
 */
export class ConfigReader {
  private readonly seen = new Set<string>();

  /**
   * @param config The parsed `config.json` object.
   * @param modelType Its `model_type`, for messages.
   */
  constructor(
    private readonly config: Readonly<Record<string, unknown>>,
    readonly modelType: string,
  ) {}

  /** Whether the field is present and not null. */
  has(field: string): boolean {
    return this.config[field] !== undefined && this.config[field] !== null;
  }

  /** The field's value as written (marks it read). */
  raw(field: string): unknown {
    this.seen.add(field);
    return this.config[field];
  }

  /** A positive integer field; `fallback` when absent or null. */
  positiveInteger(field: string, fallback?: number): number {
    const value = this.valueOr(field, fallback);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
      throw this.invalid(field, 'a positive integer', value);
    return value;
  }

  /** A positive number field; `fallback` when absent or null. */
  positiveNumber(field: string, fallback?: number): number {
    const value = this.valueOr(field, fallback);
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value))
      throw this.invalid(field, 'a positive number', value);
    return value;
  }

  /** A boolean field; `fallback` when absent or null. */
  boolean(field: string, fallback: boolean): boolean {
    const value = this.valueOr(field, fallback);
    if (typeof value !== 'boolean') throw this.invalid(field, 'true or false', value);
    return value;
  }

  /** A string field; `fallback` when absent or null. */
  string(field: string, fallback?: string): string {
    const value = this.valueOr(field, fallback);
    if (typeof value !== 'string') throw this.invalid(field, 'a string', value);
    return value;
  }

  /** Marks fields that do not change the inference math (training settings, ids, versions). */
  inert(...fields: readonly string[]): void {
    for (const field of fields) this.seen.add(field);
  }

  /**
   * Requires a field that would change the math to be absent or at its neutral value.
   *
   * @throws UnsupportedError naming the field and why Weft cannot honour it.
   */
  requireNeutral(field: string, isNeutral: (value: unknown) => boolean, why: string): void {
    const value = this.raw(field);
    if (value === undefined || value === null || isNeutral(value)) return;
    throw this.unsupported(field, why, value);
  }

  /** An UnsupportedError naming `field`. */
  unsupported(field: string, why: string, actual?: unknown): UnsupportedError {
    return new UnsupportedError(`config.json (${this.modelType}): "${field}" is not supported: ${why}`, {
      tensor: field,
      ...(actual === undefined ? {} : { actual: describe(actual) }),
    });
  }

  /**
   * Rejects the fields no mapping read: Weft cannot tell whether they change the math.
   *
   * @throws UnsupportedError listing them.
   */
  rejectUnread(): void {
    const unread = Object.keys(this.config).filter((field) => !this.seen.has(field));
    if (unread.length === 0) return;
    throw new UnsupportedError(
      `config.json (${this.modelType}): unknown field(s) ${unread.map((field) => `"${field}"`).join(', ')}: Weft does not know whether they change the model's math, so it does not load it`,
      { tensor: unread[0]!, expected: 'only the fields Weft maps or knows to be inert' },
    );
  }

  private valueOr(field: string, fallback: unknown): unknown {
    const value = this.raw(field);
    if (value !== undefined && value !== null) return value;
    if (fallback === undefined)
      throw new SpecError(`config.json (${this.modelType}): "${field}" is missing`, { tensor: field });
    return fallback;
  }

  private invalid(field: string, expected: string, actual: unknown): SpecError {
    return new SpecError(`config.json (${this.modelType}): "${field}" is invalid`, {
      tensor: field,
      expected,
      actual: describe(actual),
    });
  }
}

function describe(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : value;
}
