import { readFileSync } from 'node:fs';
import { and, attention, causal, qkNorm, rope, slidingWindow, softcap, softmax } from '@weft/attention';
import { tensorRef } from '@weft/ir';
import { describe, expect, it } from 'vitest';
import { attentionFromJSON } from './attention-json.js';
import { attentionHash } from './attention-json.test-support.js';

// The guide "Build and run a model" shows an attention spec in JSON next to its TypeScript form,
// and quotes two error messages; these tests keep them true.
const guide = readFileSync(
  new URL('../../../../../docs/guides/build-and-run-a-model.md', import.meta.url),
  'utf8',
);
const section = guide.slice(guide.indexOf('### Attention and norm layers as JSON'));
const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]!);

describe('the guide "Build and run a model" on attention JSON', () => {
  it('its JSON example builds the spec of its TypeScript form', () => {
    const sink = tensorRef('layers.0.attn.sink', [8]);
    const fromJSON = attentionFromJSON(example, { name: 'layers.0.attn', path: 'layers[0].attention' });
    const fromBuilders = attention({
      name: 'layers.0.attn',
      heads: 8,
      kvHeads: 2,
      headDim: 64,
      positions: rope({ base: 10_000, fraction: 0.5 }),
      qkNorm: qkNorm({ kind: 'rms', eps: 1e-6 }),
      score: [softcap(50)],
      mask: and(causal(), slidingWindow(4096)),
      normalizer: softmax({ sink }),
    });
    expect(attentionHash(fromJSON, [sink])).toBe(attentionHash(fromBuilders, [sink]));
  });

  it('quotes the errors as they are', () => {
    const quoted = (json: object) => {
      try {
        attentionFromJSON(json, { path: 'layers[0].attention' });
      } catch (error) {
        return (error as Error).message.replace(/\s+/g, ' ');
      }
      return '';
    };
    const flat = section.replace(/\s+/g, ' ');
    const unknown = quoted({ ...example, mask: { kind: 'casual' } });
    expect(unknown).toContain('layers[0].attention.mask.kind: expected a mask kind: causal, slidingWindow,');
    expect(unknown).toContain('got "casual" (did you mean "causal"?)');
    expect(flat).toContain(
      '`layers[0].attention.mask.kind: expected a mask kind: causal, slidingWindow, …; got "casual" (did you mean "causal"?)`',
    );
    const builder = quoted({
      ...example,
      mask: { kind: 'and', masks: [{ kind: 'causal' }, { kind: 'fixedSparse', stride: 4, summary: 6 }] },
    });
    const quote = 'layers[0].attention.mask.masks[1]: fixedSparse: summary must not exceed stride';
    expect(builder).toContain(quote);
    expect(flat).toContain(quote);
  });
});
