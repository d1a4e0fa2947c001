import { CompletionContext } from '@codemirror/autocomplete';
import { json } from '@codemirror/lang-json';
import { ensureSyntaxTree } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { schemaCompletion } from './schema-completion.js';
import { schemaFor } from './spec-editor.js';

/** Labels offered at the `|` of `text`. */
function labelsAt(text: string): string[] {
  const pos = text.indexOf('|');
  const state = EditorState.create({ doc: text.replace('|', ''), extensions: [json()] });
  ensureSyntaxTree(state, state.doc.length, 5000);
  const result = schemaCompletion(schemaFor)(new CompletionContext(state, pos, true));
  return result === null ? [] : result.options.map((option) => option.label);
}

describe('schemaCompletion (attention and model JSON Schemas)', () => {
  it('offers the top-level keys of an attention spec', () => {
    const labels = labelsAt('{ "heads": 4, | }');
    expect(labels).toEqual(expect.arrayContaining(['"headDim"', '"mask"', '"normalizer"', '"positions"']));
  });

  it('offers the mask kinds as the value of a mask kind, and nested ones inside "and"', () => {
    expect(labelsAt('{ "mask": { "kind": | } }')).toEqual(
      expect.arrayContaining(['"causal"', '"slidingWindow"', '"and"']),
    );
    expect(labelsAt('{ "mask": { "kind": "and", "masks": [{ "kind": | }] } }')).toEqual(
      expect.arrayContaining(['"causal"', '"documentMask"']),
    );
  });

  it('offers the keys of the chosen part, and model keys in a model spec', () => {
    expect(labelsAt('{ "positions": { "kind": "rope", | } }')).toEqual(expect.arrayContaining(['"base"']));
    expect(labelsAt('{ "schemaVersion": 2, "kind": "decoder-lm", "config": { | } }')).toEqual(
      expect.arrayContaining(['"vocabSize"', '"attention"', '"overrides"']),
    );
  });

  it('offers nothing in a zoo document', () => {
    expect(labelsAt('{ "zoo": | }')).toEqual([]);
  });
});
