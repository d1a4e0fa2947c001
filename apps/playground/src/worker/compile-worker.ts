// The worker that compiles and runs specs, so an edit never blocks the editor. It holds one
// backend (device) for its lifetime and works through requests one at a time, skipping any that a
// newer edit has superseded while it was busy.
import { acquireBackend, analyzeSpec, type Backend } from '../analysis/analyze-spec.js';
import type { AnalyzeReply, AnalyzeRequest } from './worker-protocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<AnalyzeRequest>) => void) | null;
  postMessage(message: AnalyzeReply): void;
}

const scope = self as unknown as WorkerScope;
let backend: Promise<Backend> | undefined;
let pending: AnalyzeRequest | undefined;
let busy = false;

scope.onmessage = (event) => {
  pending = event.data;
  if (!busy) void drain();
};

async function drain(): Promise<void> {
  busy = true;
  while (pending !== undefined) {
    const request = pending;
    pending = undefined;
    scope.postMessage(await answer(request));
  }
  busy = false;
}

async function answer(request: AnalyzeRequest): Promise<AnalyzeReply> {
  try {
    backend ??= acquireBackend(request.forceCpu);
    const result = await analyzeSpec(request.text, await backend);
    return { id: request.id, ok: true, result };
  } catch (error) {
    const failure =
      error instanceof Error
        ? { name: error.name, message: error.message }
        : { name: 'Error', message: String(error) };
    return { id: request.id, ok: false, failure };
  }
}
