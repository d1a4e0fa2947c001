import { indent } from './template-support.js';

/**
 * A serial loop over columns `0 .. count − 1` (i32 WGSL text) that handles `lanes` consecutive
 * columns per iteration, then the rest one at a time. `laneBody(column, lane)` renders the
 * statements for one column (i32 text) into accumulator `lane`; each lane runs in its own block,
 * so its `let`s may repeat names. Independent accumulators give the loop instruction-level
 * parallelism and split a long sum into `lanes` shorter ones (less rounding error).
 */
export function unrolledColumnLoop(
  count: string,
  lanes: number,
  laneBody: (column: string, lane: number) => string[],
): string[] {
  const lanesBlocks = Array.from({ length: lanes }, (_, lane) => [
    '{',
    ...indent(laneBody(lane === 0 ? 'column' : `(column + ${lane})`, lane)),
    '}',
  ]).flat();
  return [
    '{',
    '  var column = 0;',
    `  for (; column + ${lanes - 1} < ${count}; column += ${lanes}) {`,
    ...indent(lanesBlocks, 2),
    '  }',
    `  for (; column < ${count}; column++) {`,
    ...indent(laneBody('column', 0), 2),
    '  }',
    '}',
  ];
}

/** `combine` folded over `terms` as a balanced tree, `(a + b) + (c + d)`: shorter rounding chains. */
export function balancedCombine(terms: readonly string[], combine: (a: string, b: string) => string): string {
  if (terms.length === 1) return terms[0]!;
  const half = Math.ceil(terms.length / 2);
  const part = (slice: readonly string[]) =>
    slice.length === 1 ? slice[0]! : `(${balancedCombine(slice, combine)})`;
  return combine(part(terms.slice(0, half)), part(terms.slice(half)));
}
