import { layoutLength } from '@weft/wgsl';
import type { WgslFunctionSpec } from '../normalizers/kernel-hooks.js';

/** Whether WGSL `lines` mention identifier `name`. */
export function mentions(lines: readonly string[] | string, name: string): boolean {
  const text = typeof lines === 'string' ? lines : lines.join('\n');
  let pattern = MENTION_PATTERNS.get(name);
  if (pattern === undefined) {
    pattern = new RegExp(`(?<![A-Za-z0-9_.])${name}(?![A-Za-z0-9_])`);
    MENTION_PATTERNS.set(name, pattern);
  }
  return pattern.test(text);
}

/** The pattern of each name `mentions` was asked about (a kernel asks about the same few names). */
const MENTION_PATTERNS = new Map<string, RegExp>();

/** An identifier that is not a member (`.name`): what `mentions` and `dropUnusedLets` count. */
const FREE_IDENTIFIER = /(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*/g;

/** One value a helper function can read from the entry point (a `let` of the prologue). */
export interface BlockField {
  readonly name: string;
  readonly type: string;
}

/**
 * The module-scope helper functions of one attention kernel, in the order they are defined. A
 * helper reads the entry point's per-workgroup values (lengths, batch·head, K/V rows: the fields
 * of struct `Block`) through one `block: Block` parameter; each helper binds, as `let`s of the same
 * names, only the fields its body mentions, so rendered score and mask code reads as in the entry.
 */
export class KernelFunctions {
  private readonly functions: { readonly comment: string; readonly lines: readonly string[] }[] = [];
  private readonly stateLines: string[] = [];
  private readonly used = new Set<string>();

  /** `fields`: what `Block` may hold; `first`: helpers defined before these (RoPE, for example). */
  constructor(
    private readonly fields: readonly BlockField[],
    first?: KernelFunctions,
  ) {
    if (first !== undefined) this.functions.push(...first.functions);
  }

  /** Adds module-scope `var<private>` declarations (per-invocation state), before the helpers. */
  state(lines: readonly string[]): void {
    this.stateLines.push(...lines);
  }

  /**
   * Adds `fn name(params) -> returns { body }` and returns its call with `args` (a parameter's
   * argument defaults to its own name). The `block` parameter is added when the body reads a field.
   */
  define(spec: WgslFunctionSpec): (args?: Readonly<Record<string, string>>) => string {
    const body = dropUnusedLets(spec.body);
    const own = (spec.params ?? []).filter(([name]) => mentions(body, name));
    const fromBlock = this.fields.filter(
      (field) => mentions(body, field.name) && !own.some(([name]) => name === field.name),
    );
    for (const field of fromBlock) this.used.add(field.name);
    const params: (readonly [string, string])[] = [
      ...(fromBlock.length > 0 || mentions(body, 'block') ? [['block', 'Block'] as const] : []),
      ...own,
    ];
    const signature = params.map(([name, type]) => `${name}: ${type}`).join(', ');
    this.functions.push({
      comment: spec.comment,
      lines: [
        `fn ${spec.name}(${signature})${spec.returns === undefined ? '' : ` -> ${spec.returns}`} {`,
        ...fromBlock.map((field) => `  let ${field.name} = block.${field.name};`),
        ...body.map((line) => `  ${line}`),
        '}',
      ],
    });
    return (args = {}) =>
      `${spec.name}(${params.map(([name]) => (name === 'block' ? 'block' : (args[name] ?? name))).join(', ')})`;
  }

  /** Adds a complete function (comment lines included) written by hand. */
  add(lines: readonly string[]): void {
    this.functions.push({ comment: '', lines });
  }

  /** Whether some helper calls function `name`. */
  calls(name: string): boolean {
    return this.functions.some(({ lines }) => lines.some((line) => line.includes(`${name}(`)));
  }

  /** Whether any helper reads the `Block` struct. */
  get needsBlock(): boolean {
    return this.used.size > 0;
  }

  /**
   * The module's helper section: the `Block` struct (the fields some helper reads) and the helpers.
   * `entryLines` builds the struct value in the entry point.
   */
  declarations(): { readonly functions: string[]; readonly blockValue: string[] } {
    const fields = this.fields.filter((field) => this.used.has(field.name));
    const struct =
      fields.length === 0
        ? []
        : [
            [
              '// What one workgroup works on: lengths, batch·head, query block and K/V rows.',
              'struct Block {',
              ...fields.map((field) => `  ${field.name}: ${field.type},`),
              '}',
            ].join('\n'),
          ];
    const state = this.stateLines.length === 0 ? [] : [this.stateLines.join('\n')];
    const functions = this.functions.map(({ comment, lines }) =>
      [...(comment === '' ? [] : comment.split('\n').map((line) => `// ${line}`)), ...lines].join('\n'),
    );
    const blockValue =
      fields.length === 0 ? [] : [`let block = Block(${fields.map((field) => field.name).join(', ')});`];
    return { functions: [...state, ...struct, ...functions].map(wrapLines), blockValue };
  }
}

/**
 * Drops `let name = …;` statements (one line each) that no other line of `lines` or `scope`
 * mentions, until none is left: the index lets a kernel variant does not read. Every value of
 * such a let is free of effects (index math, loads, pure helpers); lets of calls that write state
 * (`effects`) stay.
 */
export function dropUnusedLets(
  lines: readonly string[],
  scope: readonly string[] = [],
  effects: readonly string[] = [],
): string[] {
  let current = [...lines];
  for (;;) {
    // Occurrences of each identifier, counted once per pass rather than searched once per let.
    const counts = new Map<string, number>();
    for (const [word] of [...current, ...scope].join('\n').matchAll(FREE_IDENTIFIER)) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    const next = current.filter((line) => {
      const match = /^\s*let ([A-Za-z_][A-Za-z0-9_]*)(?:: [^=]+)? = (.*);$/.exec(line);
      if (match === null || effects.some((name) => match[2]!.includes(`${name}(`))) return true;
      return (counts.get(match[1]!) ?? 0) > 1;
    });
    if (next.length === current.length) return next;
    current = next;
  }
}

/**
 * Splits `a + b + c` over lines of at most `width` characters (as `layoutLength` counts them),
 * continuation lines indented.
 */
export function wrapSum(prefix: string, terms: readonly string[], suffix = ';', width = 100): string[] {
  const lines: string[] = [];
  let line = prefix;
  terms.forEach((term, index) => {
    const piece = index === 0 ? term : ` + ${term}`;
    if (index > 0 && longerThan(line + piece, width)) {
      lines.push(line);
      line = `    + ${term}`;
    } else line += piece;
  });
  lines.push(`${line}${suffix}`);
  return lines;
}

/** Indents WGSL lines by `levels` × 2 spaces. */
export function indent(lines: readonly string[], levels: number): string[] {
  return lines.map((line) => `${'  '.repeat(levels)}${line}`);
}

/** WGSL text whose lines longer than `width` are broken at operators and commas (see {@link wrapLine}). */
export function wrapLines(text: string): string {
  return text
    .split('\n')
    .flatMap((line) => wrapLine(line))
    .join('\n');
}

/**
 * Breaks a WGSL line longer than `width` (as `layoutLength` counts it: a layer index of any length
 * is one character, so every layer's kernel breaks alike) at the `+`, `-`, `&&`, `||` and `,` of
 * its outermost bracket level that has any, continuation lines indented by 4 more spaces. Comments
 * stay whole.
 */
export function wrapLine(line: string, width = 118): string[] {
  if (!longerThan(line, width) || line.trimStart().startsWith('//')) return [line];
  const indentation = /^\s*/.exec(line)![0];
  const breaks = new Map<number, number[]>();
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '(' || char === '[') depth++;
    else if (char === ')' || char === ']') depth--;
    else if (char === ',' && line[i + 1] === ' ') breaks.set(depth, [...(breaks.get(depth) ?? []), i + 2]);
    else if (char === ' ' && /^ (?:\+|-|&&|\|\|) /.test(line.slice(i, i + 4)) && i > indentation.length)
      breaks.set(depth, [...(breaks.get(depth) ?? []), i + 1]);
  }
  const levels = [...breaks.keys()].sort((a, b) => a - b);
  if (levels.length === 0) return [line];
  const positions = breaks.get(levels[0]!)!;
  const pieces: string[] = [];
  let start = 0;
  for (const position of positions) {
    pieces.push(line.slice(start, position));
    start = position;
  }
  pieces.push(line.slice(start));
  const lines: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const text =
      current === '' && lines.length > 0 ? `${indentation}    ${piece.trimStart()}` : current + piece;
    if (current !== '' && longerThan(text, width)) {
      lines.push(current.trimEnd());
      current = `${indentation}    ${piece.trimStart()}`;
    } else current = text;
  }
  lines.push(current.trimEnd());
  return lines.flatMap((part, index) =>
    longerThan(part, width) && index >= 0 && part !== line ? wrapLine(part, width) : [part],
  );
}

/** Whether `line` is longer than `width` as `layoutLength` counts it (never more than its length). */
function longerThan(line: string, width: number): boolean {
  return line.length > width && layoutLength(line) > width;
}

/**
 * Comment lines naming the long float literals of `lines` that are a known constant: 1/√d (the
 * score scale, d = `headDim`), log2(e) and their product. Other literals get no comment.
 */
export function constantNotes(lines: readonly string[], headDim: number): string[] {
  const known: [number, string][] = [
    [1 / Math.sqrt(headDim), `1/√${headDim}: the score scale`],
    [Math.LOG2E, 'log2(e)'],
    [Math.LOG2E / Math.sqrt(headDim), `log2(e)/√${headDim}`],
    [Math.LN2, 'ln(2)'],
  ];
  const notes = new Set<string>();
  for (const match of lines.join('\n').matchAll(/(?<![\w.])\d+\.\d{6,}(?:e-?\d+)?/g)) {
    const value = Number(match[0]);
    const name = known.find(([constant]) => Math.abs(constant - value) <= 1e-15 * Math.abs(constant));
    if (name !== undefined) notes.add(`// ${match[0]} = ${name[1]}`);
  }
  return [...notes];
}

/** The `Score` struct both attention kernels' `score_key` returns: a score and whether the mask keeps it. */
export const SCORE_STRUCT: readonly string[] = [
  '// A score and whether the mask keeps it.',
  'struct Score {',
  '  value: f32,',
  '  kept: bool,',
  '}',
];
