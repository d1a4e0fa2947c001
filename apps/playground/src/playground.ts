import type { EditorView } from '@codemirror/view';
import { DEFAULT_SPEC, TYPESCRIPT_EXAMPLE } from './document/default-spec.js';
import { specFromHash, specToHash } from './document/spec-hash.js';
import { gallery } from './ui/gallery.js';
import { resultsView } from './ui/results-view.js';
import { specEditor } from './ui/spec-editor.js';
import type { AnalyzeReply, AnalyzeRequest } from './worker/worker-protocol.js';

/** Options of {@link mountPlayground}. */
export interface PlaygroundOptions {
  /** The spec to open; default the URL hash's spec, else {@link DEFAULT_SPEC}. */
  readonly text?: string;
  /** Run on the CPU reference backend even where WebGPU exists (the page's `?backend=cpu`). */
  readonly forceCpu?: boolean;
  /** Quiet time after an edit before it is compiled, in ms. Default 400. */
  readonly debounceMs?: number;
  /** Write the spec into `location.hash` after each edit (default true). */
  readonly updateHash?: boolean;
}

/** A mounted playground. */
export interface Playground {
  /** The spec editor. */
  readonly editor: EditorView;
  /** Replaces the editor's text (as typing would: it is compiled after the debounce). */
  setText(text: string): void;
  /** Resolves with the worker's reply for the editor's current text, once it has arrived. */
  settled(): Promise<AnalyzeReply>;
  /** Stops the worker and empties `root`. */
  destroy(): void;
}

/**
 * Mounts the playground in `root`: the spec editor and gallery on the left; on the right the
 * backend, the error against float64, the kernel plan picture, the selected kernel's WGSL, the
 * mask's block map, a heat map and the per-kernel timings. Each edit is compiled in a Web Worker
 * after a quiet time, and its spec written into the URL hash so the link shares it.
 *
 * @example
 * ```ts
 * const playground = mountPlayground(document.getElementById('app')!);
 * const reply = await playground.settled(); // { ok: true, result } or { ok: false, failure }
 * ```
 */
export function mountPlayground(root: HTMLElement, options: PlaygroundOptions = {}): Playground {
  root.replaceChildren();
  root.classList.add('playground');
  const text = options.text ?? specFromHash(location.hash) ?? DEFAULT_SPEC;
  const debounceMs = options.debounceMs ?? 400;
  const updateHash = options.updateHash ?? true;
  if (updateHash) history.replaceState(null, '', specToHash(text));
  const worker = new Worker(new URL('./worker/compile-worker.ts', import.meta.url), { type: 'module' });

  const left = document.createElement('section');
  left.className = 'left';
  const editorHost = document.createElement('div');
  editorHost.className = 'editor';
  const examples = document.createElement('p');
  examples.className = 'examples';
  for (const [label, source] of [
    ['JSON example', DEFAULT_SPEC],
    ['TypeScript example', TYPESCRIPT_EXAMPLE],
  ] as const) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.example = label.split(' ')[0]!.toLowerCase();
    button.textContent = label;
    button.addEventListener('click', () => setText(source));
    examples.append(button);
  }
  const galleryTitle = document.createElement('h2');
  galleryTitle.textContent = 'Gallery: the zoo';
  const right = document.createElement('section');
  right.className = 'right';
  root.append(left, right);
  const results = resultsView(right);

  let requestId = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waiting = new Map<number, (reply: AnalyzeReply) => void>();
  let latest: AnalyzeReply | undefined;

  const submit = (source: string) => {
    requestId++;
    const request: AnalyzeRequest = { id: requestId, text: source, forceCpu: options.forceCpu ?? false };
    results.busy(true);
    worker.postMessage(request);
  };
  const schedule = (source: string) => {
    if (updateHash) history.replaceState(null, '', specToHash(source));
    clearTimeout(timer);
    requestId++; // a reply to an older text is no longer the settled one
    timer = setTimeout(() => submit(source), debounceMs);
  };
  worker.onmessage = (event: MessageEvent<AnalyzeReply>) => {
    const reply = event.data;
    if (reply.id !== requestId) return;
    latest = reply;
    results.busy(false);
    if (reply.ok) results.show(reply.result);
    else results.fail(reply.failure);
    for (const resolve of waiting.values()) resolve(reply);
    waiting.clear();
  };

  const editor = specEditor(editorHost, text, schedule);
  left.append(
    editorHost,
    examples,
    galleryTitle,
    gallery((source) => setText(source)),
  );

  function setText(source: string): void {
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: source } });
  }

  submit(text);
  return {
    editor,
    setText,
    settled() {
      if (latest !== undefined && latest.id === requestId) return Promise.resolve(latest);
      return new Promise((resolve) => waiting.set(waiting.size, resolve));
    },
    destroy() {
      clearTimeout(timer);
      worker.terminate();
      editor.destroy();
      root.replaceChildren();
    },
  };
}
