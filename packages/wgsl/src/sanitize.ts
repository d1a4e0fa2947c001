const WGSL_RESERVED = new Set([
  'alias',
  'array',
  'bitcast',
  'bool',
  'break',
  'case',
  'const',
  'continue',
  'continuing',
  'default',
  'diagnostic',
  'discard',
  'else',
  'enable',
  'f16',
  'f32',
  'false',
  'fn',
  'for',
  'i32',
  'if',
  'let',
  'loop',
  'override',
  'ptr',
  'requires',
  'return',
  'sampler',
  'struct',
  'switch',
  'true',
  'u32',
  'var',
  'vec2',
  'vec3',
  'vec4',
  'while',
  'mat2x2',
  'mat3x3',
  'mat4x4',
  'atomic',
  'main',
  'params',
]);

const MAXIMUM_IDENTIFIER_LENGTH = 40;
const MAXIMUM_COMMENT_LENGTH = 80;

/**
 * A WGSL identifier fragment derived from user text: ASCII letters, digits and single
 * underscores only, never a keyword, never empty, never starting with a digit or `__`.
 *
 * @example
 * ```ts
 * sanitizeIdentifier('weights.ln1/γ'); // 'weights_ln1'
 * ```
 */
export function sanitizeIdentifier(text: string): string {
  let name = text
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAXIMUM_IDENTIFIER_LENGTH)
    .replace(/_+$/, '');
  if (name === '') name = 'tensor';
  if (/^[0-9]/.test(name)) name = `t${name}`;
  if (WGSL_RESERVED.has(name)) name = `${name}_`;
  return name;
}

/**
 * Text safe inside a WGSL `//` line comment: printable ASCII only (anything else becomes `?`),
 * no comment delimiters, no line breaks, at most 80 characters.
 */
export function sanitizeComment(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?').replace(/\/\*|\*\/|\/\//g, '??');
  return printable.length > MAXIMUM_COMMENT_LENGTH
    ? `${printable.slice(0, MAXIMUM_COMMENT_LENGTH - 3)}...`
    : printable;
}

const MAXIMUM_LABEL_LENGTH = 120;

/**
 * Text safe as a WebGPU object label (pipelines, bind groups, buffers) and in profile rows: any
 * printable text, unicode included, with control characters and line breaks replaced by `?`, at
 * most 120 characters.
 *
 * @example
 * ```ts
 * sanitizeLabel('layers.0.attn\n · attention'); // 'layers.0.attn? · attention'
 * ```
 */
export function sanitizeLabel(text: string): string {
  const printable = text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '?');
  return printable.length > MAXIMUM_LABEL_LENGTH
    ? `${printable.slice(0, MAXIMUM_LABEL_LENGTH - 3)}...`
    : printable;
}

const MAXIMUM_NAME_LENGTH = 60;

/**
 * A user name as WGSL comments quote it: letters, digits and `_ . - :` kept, anything else
 * (spaces, quotes, comment delimiters, line breaks, unicode) shown as `?`, at most 60 characters.
 * `layers.0.attn.q` stays as it is.
 *
 * @example
 * ```ts
 * sanitizeName('layers.0.attn.q'); // 'layers.0.attn.q'
 * sanitizeName('x; fn evil()'); // 'x??fn?evil??'
 * ```
 */
export function sanitizeName(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9_.:-]/g, '?');
  return safe.length > MAXIMUM_NAME_LENGTH ? `${safe.slice(0, MAXIMUM_NAME_LENGTH - 3)}...` : safe;
}
