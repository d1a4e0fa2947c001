import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { wgslLanguage } from './wgsl-language.js';

/** A read-only, highlighted CodeMirror view of WGSL; `show` replaces its text. */
export function wgslView(parent: HTMLElement): { show(source: string): void; readonly view: EditorView } {
  const view = new EditorView({
    parent,
    doc: '',
    extensions: [basicSetup, wgslLanguage, EditorState.readOnly.of(true), EditorView.editable.of(false)],
  });
  return {
    view,
    show(source) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: source } });
    },
  };
}
