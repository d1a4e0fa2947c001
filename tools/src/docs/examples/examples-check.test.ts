import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportedFunctions } from './exported-functions.js';
import { typeCheckExamples } from './type-check-examples.js';
import { BUILDING_BLOCKS } from './user-facing.js';

const root = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const folder = join(root, 'tools', '.examples-check-test');

describe('the @example check', () => {
  // The compiler reads every source of @weft/zoo and what it imports: slow on a loaded machine.
  const { functions, exportNames } = exportedFunctions(root, ['zoo']);

  it("lists a main entry's functions with their examples, and the building blocks are among them", () => {
    const names = functions.map((fn) => fn.name);
    expect(names).toEqual(expect.arrayContaining(Object.values(BUILDING_BLOCKS.zoo).flat()));
    const withExample = functions.find((fn) => fn.examples.length > 0);
    expect(withExample?.location).toMatch(/^packages\/zoo\/src\/.+\.ts:\d+$/);
    expect(withExample?.examples[0]?.code).not.toContain('```');
  }, 120_000);

  it('type-checks an example with its own package and the IR imported, and reports a wrong one', () => {
    const base = { packageName: 'zoo', location: 'packages/zoo/src/x.ts:1' } as const;
    const examples = [
      // Uses @weft/zoo's maxRelativeError and @weft/ir's input without importing them: fine.
      {
        ...base,
        name: 'good',
        examples: [{ code: "maxRelativeError([1], [1]);\ninput('x', [2]);", fragment: false }],
      },
      {
        ...base,
        name: 'bad',
        examples: [{ code: "const n: number = maxRelativeError('a');", fragment: false }],
      },
      { ...base, name: 'loose', examples: [{ code: 'undeclaredQuery.shape;', fragment: true }] },
    ];
    const errors = typeCheckExamples(examples, exportNames.set('ir', ['input']), folder);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^@weft\/zoo bad \(packages\/zoo\/src\/x\.ts:1\): @example line 1: /);
  }, 120_000);
});
