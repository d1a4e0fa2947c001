import { describe, expect, it } from 'vitest';
import { ATTENTION_WGSL_CASES, attentionWgsl, PROFILES } from '../../test/attention-wgsl-cases.js';

/** The WGSL with comments removed and struct bodies blanked (their field names are no references). */
function codeOnly(wgsl: string): string {
  return wgsl
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .join('\n')
    .replace(/struct (\w+) \{[^}]*\}/g, 'struct $1 {}');
}

/** Identifiers the module declares (`let`, `var`, `const`, `fn`, `struct`) that nothing else mentions. */
export function unusedIdentifiers(wgsl: string): string[] {
  const code = codeOnly(wgsl);
  const declared = new Set<string>();
  for (const match of code.matchAll(/\b(?:let|var(?:<[^>]*>)?|const|fn|struct)\s+([A-Za-z_]\w*)/g))
    declared.add(match[1]!);
  declared.delete('main');
  return [...declared].filter((name) => {
    const uses = code.match(new RegExp(`(?<![\\w.])${name}(?!\\w)`, 'g'))?.length ?? 0;
    return uses < 2;
  });
}

/** Statement lines of the entry point `fn main` (its body, without the signature's builtins). */
export function entryPointLines(wgsl: string): number {
  const lines = wgsl.split('\n');
  const name = lines.findIndex((line) => line.startsWith('fn main('));
  const start = lines.findIndex((line, index) => index >= name && line.endsWith('{'));
  const end = lines.findIndex((line, index) => index > start && line === '}');
  return end - start - 1;
}

describe('unusedIdentifiers', () => {
  it('finds a let, var and fn nothing reads, ignoring comments, member names and struct fields', () => {
    const wgsl = [
      'struct Block {',
      '  nq: i32,',
      '}',
      'fn helper(block: Block) -> i32 {',
      '  let nq = block.nq; // nq',
      '  let unused = 1;',
      '  var dead = 0.0;',
      '  return nq;',
      '}',
      'fn orphan() {}',
      'fn main() {',
      '  let x = helper(Block(1));',
      '  _ = x;',
      '}',
    ].join('\n');
    expect(unusedIdentifiers(wgsl).sort()).toEqual(['dead', 'orphan', 'unused']);
    expect(entryPointLines(wgsl)).toBe(2);
  });
});

describe('generated attention WGSL reads well', () => {
  for (const testCase of ATTENTION_WGSL_CASES) {
    for (const [profileName, profile] of Object.entries(PROFILES)) {
      it(`${testCase.name} (${profileName})`, () => {
        const kernels = attentionWgsl(testCase, profile);
        expect(kernels.length).toBeGreaterThan(0);
        for (const wgsl of kernels) {
          const long = wgsl.split('\n').filter((line) => line.length > 120);
          expect(long, 'lines over 120 characters').toEqual([]);
          expect(unusedIdentifiers(wgsl), 'declared and never read').toEqual([]);
          expect(entryPointLines(wgsl), 'entry point lines').toBeLessThanOrEqual(80);
          // Folded index math: no multiplication or division by 1, no addition of 0.
          expect(codeOnly(wgsl)).not.toMatch(/[*/] 1(?![\d.u])|(?<![\w.])0 \+ |\+ 0(?![\d.])/);
        }
      });
    }
  }
});
