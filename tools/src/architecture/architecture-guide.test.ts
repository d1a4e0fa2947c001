import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAYERS } from './architecture-rules.js';

// docs/guides/architecture.md is the design of record; the check enforces LAYERS. Keep them one table.
const guide = readFileSync(new URL('../../../docs/guides/architecture.md', import.meta.url), 'utf8');

describe('the architecture guide and the architecture check', () => {
  it('list the same layers at the same levels', () => {
    const rows = [...guide.matchAll(/^\| (\d+) \| (.+?) \|/gm)].flatMap(([, level, names]) =>
      [...names!.matchAll(/`([^`]+)`/g)].map(([, name]) => `${level} ${name!.replace(/\/\*$/, '')}`),
    );
    const layers = LAYERS.map((layer) => `${layer.level} ${layer.name}`);
    expect(rows.sort()).toEqual(layers.sort());
  });
});
