import { autocompletion } from '@codemirror/autocomplete';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { linter, lintGutter } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import attentionSchema from '@weft/models/schema/attention.schema.json' with { type: 'json' };
import modelSchema from '@weft/models/schema/model.schema.json' with { type: 'json' };
import { basicSetup } from 'codemirror';
import { type JsonSchema, schemaCompletion } from './schema-completion.js';

/** The published schema that fits the document: a model spec has `schemaVersion`, else it is an attention spec. */
export function schemaFor(text: string): JsonSchema | undefined {
  if (/^\s*\{\s*"zoo"/.test(text)) return undefined;
  return /"schemaVersion"/.test(text) ? (modelSchema as JsonSchema) : (attentionSchema as JsonSchema);
}

/**
 * The spec editor: CodeMirror 6 with JSON syntax, a syntax linter, and completion of keys and
 * part kinds from `@weft/models`' JSON Schemas. `onChange` gets the text after every edit.
 */
export function specEditor(parent: HTMLElement, text: string, onChange: (text: string) => void): EditorView {
  return new EditorView({
    parent,
    doc: text,
    extensions: [
      basicSetup,
      json(),
      linter(jsonParseLinter()),
      lintGutter(),
      autocompletion({ override: [schemaCompletion(schemaFor)] }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChange(update.state.doc.toString());
      }),
    ],
  });
}
