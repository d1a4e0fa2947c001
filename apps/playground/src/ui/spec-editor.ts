import { autocompletion } from '@codemirror/autocomplete';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { linter, lintGutter } from '@codemirror/lint';
import { Compartment, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import attentionSchema from '@weft/models/schema/attention.schema.json' with { type: 'json' };
import modelSchema from '@weft/models/schema/model.schema.json' with { type: 'json' };
import { basicSetup } from 'codemirror';
import { isTypeScriptModule } from '../document/document-language.js';
import { type JsonSchema, schemaCompletion } from './schema-completion.js';

/** The published schema that fits the document: a model spec has `schemaVersion`, else it is an attention spec. */
export function schemaFor(text: string): JsonSchema | undefined {
  if (/^\s*\{\s*"zoo"/.test(text)) return undefined;
  return /"schemaVersion"/.test(text) ? (modelSchema as JsonSchema) : (attentionSchema as JsonSchema);
}

/** JSON with its syntax linter and completion from the schemas. */
const jsonLanguage: Extension = [
  json(),
  linter(jsonParseLinter()),
  autocompletion({ override: [schemaCompletion(schemaFor)] }),
];

/** TypeScript highlighting, loaded the first time the editor holds a TypeScript spec (its own chunk). */
async function typescriptLanguage(): Promise<Extension> {
  const { javascript } = await import('@codemirror/lang-javascript');
  return javascript({ typescript: true });
}

/**
 * The spec editor: CodeMirror 6 with JSON syntax, a syntax linter, and completion of keys and
 * part kinds from `@weft/models`' JSON Schemas; or, for a text that is a TypeScript module (a line
 * starts with `import` or `export`), TypeScript syntax. The language follows the text as it is
 * edited. `onChange` gets the text after every edit.
 */
export function specEditor(parent: HTMLElement, text: string, onChange: (text: string) => void): EditorView {
  const language = new Compartment();
  let typescript = false;
  const follow = (source: string) => {
    if (isTypeScriptModule(source) === typescript) return;
    typescript = !typescript;
    const chosen = typescript;
    (typescript ? typescriptLanguage() : Promise.resolve(jsonLanguage)).then(
      (extension) => {
        // A later edit may have switched back while the language loaded.
        if (chosen === typescript) view.dispatch({ effects: language.reconfigure(extension) });
      },
      // Without its chunk (a failed load) the text stays unhighlighted; it still compiles.
      () => undefined,
    );
  };
  const view = new EditorView({
    parent,
    doc: text,
    extensions: [
      basicSetup,
      language.of(jsonLanguage),
      lintGutter(),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        const source = update.state.doc.toString();
        follow(source);
        onChange(source);
      }),
    ],
  });
  follow(text);
  return view;
}
