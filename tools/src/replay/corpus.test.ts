import { add, gelu, input, makeGraph, matmul, param } from '@weft/ir';
import { ZOO } from '@weft/zoo';
import { describe, expect, it } from 'vitest';
import { type Corpus, demoGraphs, entryOfKey, generateCorpus, kernelKey, REPLAY_PROFILES } from './corpus.js';

describe('kernel keys', () => {
  it('are <entry>/<profile>/<index> and give back their entry', () => {
    expect(kernelKey('zoo/layer-norm', 'hardware', 0)).toBe('zoo/layer-norm/hardware/0');
    expect(kernelKey('bench/matmul-64/weft-fused', 'software', 12)).toBe(
      'bench/matmul-64/weft-fused/software/12',
    );
    expect(entryOfKey('bench/matmul-64/weft-fused/software/12')).toBe('bench/matmul-64/weft-fused');
  });
});

describe('generateCorpus', () => {
  const small = [
    {
      entry: 'small/linear-gelu',
      build: () =>
        makeGraph({ y: gelu(add(matmul(input('x', [4, 8]), param('w', [8, 8])), param('b', [8]))) }),
    },
  ];

  it('generates every kernel of every graph for both profiles, keyed by entry, profile and index', async () => {
    const corpus = await generateCorpus({ graphs: small });
    const keys = Object.keys(corpus.kernels);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => /^small\/linear-gelu\/(hardware|software)\/\d+$/.test(key))).toBe(true);
    expect(keys.filter((key) => key.includes('/hardware/')).length).toBe(
      keys.filter((key) => key.includes('/software/')).length,
    );
    for (const key of keys) {
      expect(corpus.kernels[key]).toContain('@compute');
      expect(corpus.labels[key]).toMatch(/^\S+ /);
    }
    expect(corpus.entries).toEqual(['small/linear-gelu']);
  });

  it('fails on a graph that cannot be built or generated instead of leaving it out', async () => {
    const broken = [
      { entry: 'broken', build: () => makeGraph({ y: matmul(input('x', [4, 8]), input('w', [7, 8])) }) },
    ];
    await expect(generateCorpus({ graphs: broken })).rejects.toThrow(/replay corpus: .*broken/);
    await expect(generateCorpus({ graphs: [...small, ...small] })).rejects.toThrow(/duplicate entry/);
  });

  it('the full corpus is non-empty, deterministic and covers every zoo entry, the demo and the bench on both profiles', async () => {
    const first = await generateCorpus();
    const second = await generateCorpus();
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(first.skipped).toEqual({});
    const kernelEntries = new Set(Object.keys(first.kernels).map(entryOfKey));
    const profilesOf = (corpus: Corpus, entry: string) =>
      new Set(
        Object.keys(corpus.kernels)
          .filter((key) => entryOfKey(key) === entry)
          .map((key) => key.split('/').at(-2)),
      );
    const expected = [
      ...ZOO.map((entry) => `zoo/${entry.id}`),
      ...demoGraphs().map(({ entry }) => entry),
      'bench/matmul-64/weft-fused',
      'bench/attention-n512-causal/weft-fused',
      'bench/attention-rope-qknorm-n64/weft-hoisted',
      'bench/lm-prefill-p32/weft-fused',
    ];
    for (const entry of expected) {
      expect(kernelEntries.has(entry), entry).toBe(true);
      expect([...profilesOf(first, entry)].sort(), entry).toEqual(Object.keys(REPLAY_PROFILES).sort());
    }
    expect(
      first.entries
        .filter((entry) => entry.startsWith('bench/'))
        .every((entry) => !entry.endsWith('unfused')),
    ).toBe(true);
    // The software profile changes strategies: some kernels differ between the profiles.
    const differing = Object.keys(first.kernels).filter(
      (key) =>
        key.includes('/hardware/') &&
        first.kernels[key] !== first.kernels[key.replace('/hardware/', '/software/')],
    );
    expect(differing.length).toBeGreaterThan(0);
  }, 180_000);
});
