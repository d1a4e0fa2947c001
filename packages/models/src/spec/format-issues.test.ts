import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { formatIssues, formatPath } from './format-issues.js';

describe('formatIssues', () => {
  it('writes paths the way JavaScript reaches the value: dots, indices, quoted odd keys', () => {
    const schema = v.strictObject({
      config: v.strictObject({
        layers: v.array(v.strictObject({ attention: v.strictObject({ kvHeads: v.number() }) })),
        'odd key': v.optional(v.number()),
      }),
    });
    const result = v.safeParse(schema, {
      config: { layers: [{ attention: { kvHeads: 1 } }, { attention: { kvHeads: 'x' } }], 'odd key': true },
    });
    expect(result.success).toBe(false);
    expect(formatIssues(result.issues ?? [])).toEqual([
      'config.layers[1].attention.kvHeads: expected number, got "x"',
      'config["odd key"]: expected number, got true',
    ]);
  });

  it('names the document itself when the path is empty', () => {
    const result = v.safeParse(v.strictObject({}), 5);
    expect(formatIssues(result.issues ?? [])).toEqual(['(document): expected Object, got 5']);
    expect(formatPath([])).toBe('');
  });
});
