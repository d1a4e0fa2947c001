import { type AdapterDescription, formatAdapter } from '@weft/runtime';
import type { ZooMeasurement } from '@weft/zoo/runner';

const COLUMNS = ['Mechanism', 'Paper', 'Kernels', 'Max relative error', 'Tolerance', 'Median ms'] as const;

/** Replaces `root`'s content with the adapter line and a table of the measurements. */
export function renderResults(
  root: HTMLElement,
  adapter: AdapterDescription,
  rows: readonly ZooMeasurement[],
): void {
  const document = root.ownerDocument;
  const adapterLine = document.createElement('p');
  adapterLine.dataset.role = 'adapter';
  adapterLine.textContent = `Adapter: ${formatAdapter(adapter)}`;
  const table = document.createElement('table');
  const heading = table.createTHead().insertRow();
  for (const column of COLUMNS) {
    const cell = document.createElement('th');
    cell.textContent = column;
    heading.append(cell);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const line = body.insertRow();
    line.dataset.entry = row.id;
    if (!row.passed) line.className = 'fail';
    const cells = [
      [row.mechanism, false],
      [`${row.paper.id ?? '—'} (${row.paper.group})`, false],
      [String(row.kernels), true],
      [row.maxRelativeError.toExponential(2), true],
      [row.tolerance.toExponential(0), true],
      [row.medianMs.toFixed(3), true],
    ] as const;
    for (const [text, numeric] of cells) {
      const cell = line.insertCell();
      cell.textContent = text;
      if (numeric) cell.className = 'number';
    }
    line.cells[0]!.title = row.paper.title;
  }
  root.replaceChildren(adapterLine, table);
}

/** Replaces `root`'s content with the error's message. */
export function renderError(root: HTMLElement, error: unknown): void {
  const message = root.ownerDocument.createElement('p');
  message.className = 'error';
  message.dataset.role = 'error';
  message.textContent = error instanceof Error ? error.message : String(error);
  root.replaceChildren(message);
}
