import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { interpret } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { CATALOG_GROUP_PAPERS, CATALOG_PAPER_IDS } from './test-support/catalog-papers.js';
import { findZooEntry, ZOO } from './zoo.js';

const ENTRY_FOLDER = fileURLToPath(new URL('./entries/', import.meta.url));
const ZOO_GUIDE = fileURLToPath(new URL('../../../docs/guides/zoo.md', import.meta.url));

describe('ZOO', () => {
  it('is listed in the zoo guide, one table row per entry', () => {
    const rows = readFileSync(ZOO_GUIDE, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.slice(3, line.indexOf('`', 3)));
    expect(rows.sort()).toEqual(ZOO.map((entry) => entry.id).sort());
  });
  it('has one entry per file in src/entries, named after its id, with unique ids and mechanisms', () => {
    const files = readdirSync(ENTRY_FOLDER).filter((file) => file !== 'index.ts');
    expect(files.sort()).toEqual(ZOO.map((entry) => `${entry.id}.ts`).sort());
    expect(new Set(ZOO.map((entry) => entry.id)).size).toBe(ZOO.length);
    expect(new Set(ZOO.map((entry) => entry.mechanism)).size).toBe(ZOO.length);
    for (const entry of ZOO) expect(entry.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('covers every G3 layer and at least the G1/G2 mechanisms of the attention catalog', () => {
    const count = (group: string) => ZOO.filter((entry) => entry.paper.group === group).length;
    expect(count('G3')).toBe(18);
    expect(count('G1') + count('G2')).toBeGreaterThanOrEqual(19);
  });

  it.each(ZOO.map((entry) => [entry.id, entry] as const))(
    '%s cites a catalog paper of its group, or says that its source is none',
    (_, entry) => {
      if (entry.paper.id === null) {
        expect(entry.paper.title).toMatch(/not a catalog paper/);
      } else {
        expect(CATALOG_PAPER_IDS.has(entry.paper.id)).toBe(true);
        expect(CATALOG_GROUP_PAPERS[entry.paper.group]).toContain(entry.paper.id);
      }
      expect(entry.paper.title.length).toBeGreaterThan(10);
      expect(entry.description.length).toBeGreaterThan(10);
      expect(entry.tolerance).toBeGreaterThan(0);
      expect(entry.tolerance).toBeLessThanOrEqual(2e-4);
    },
  );

  it.each(ZOO.map((entry) => [entry.id, entry] as const))(
    '%s builds with seeded non-zero values and interprets to finite outputs',
    (_, entry) => {
      const { graph, inputs, params, dims } = entry.build();
      for (const [name, values] of Object.entries({ ...inputs, ...params })) {
        expect(values.length, name).toBeGreaterThan(0);
        if (values instanceof Float32Array)
          expect(
            values.some((value) => value !== 0),
            name,
          ).toBe(true);
      }
      const outputs = interpret(graph, { inputs, params, dims });
      expect(Object.keys(outputs).length).toBeGreaterThan(0);
      for (const [name, output] of Object.entries(outputs)) {
        expect(output.data.length, name).toBeGreaterThan(0);
        expect(output.data.every(Number.isFinite), `${entry.id} output ${name} is finite`).toBe(true);
        // A spec whose output is identically zero would make the reference comparison vacuous.
        expect(
          output.data.some((value) => value !== 0),
          `${entry.id} output ${name} is not all zeros`,
        ).toBe(true);
      }
    },
    // The float64 interpreter of the largest entries (256 positions) takes seconds, more under load.
    120_000,
  );

  it('builds a fresh graph and fresh values on every call', () => {
    const entry = findZooEntry('layer-norm')!;
    const first = entry.build();
    const second = entry.build();
    expect(second.inputs).not.toBe(first.inputs);
    expect(Array.from(second.inputs.x!)).toEqual(Array.from(first.inputs.x!));
  });
});

describe('findZooEntry', () => {
  it('finds an entry by id or by mechanism name, ignoring case', () => {
    expect(findZooEntry('layer-norm')?.mechanism).toBe('LayerNorm');
    expect(findZooEntry('layernorm')?.id).toBe('layer-norm');
    expect(findZooEntry('entmax-1.5')?.id).toBe('entmax-1-5');
    expect(findZooEntry('MULTI-QUERY-ATTENTION')?.paper.id).toBe(54);
  });

  it('returns undefined for an unknown name', () => {
    expect(findZooEntry('layer')).toBeUndefined();
  });
});
