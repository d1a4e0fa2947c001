import { formatTable } from '@weft/ir';
import type { CaseResult, SystemResult } from './run-case.js';

/**
 * The results as an aligned text table, one row per system and case: median time, its spread
 * (median absolute deviation) and the number of timed runs, ratio to the case's reference system
 * (`ref` marks it), GFLOP/s, dispatches per run, peak GPU bytes (`n/a`
 * where a system ran but its bytes could not be tracked), error vs float64, note.
 * A wrong result shows its time but no ratio or GFLOP/s, and says WRONG.
 */
export function formatResultsTable(results: readonly CaseResult[]): string {
  const header = [
    'benchmark',
    'system',
    'median ms',
    '± MAD',
    'runs',
    'vs ref',
    'GFLOP/s',
    'dispatches',
    'peak GPU',
    'max rel err',
    'note',
  ];
  const rows = results.flatMap((result) =>
    result.systems.map((system, index) =>
      row(index === 0 ? result.name : '', system, result.referenceSystem),
    ),
  );
  return formatTable(rows, {
    header,
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  });
}

/** Bytes in binary units: `812 B`, `45.5 KiB`, `3.20 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(bytes / 1024)} KiB`;
  return `${formatNumber(bytes / (1024 * 1024))} MiB`;
}

function row(benchmark: string, result: SystemResult, referenceSystem: string | undefined): string[] {
  const timed = result.timing !== undefined && (result.status === 'ok' || result.status === 'wrong');
  const ratio =
    result.system === referenceSystem
      ? 'ref'
      : result.ratio === undefined
        ? ''
        : `${formatNumber(result.ratio)}×`;
  return [
    benchmark,
    result.system,
    timed ? formatNumber(result.timing!.medianMs) : '',
    timed ? formatNumber(result.timing!.madMs) : '',
    timed ? String(result.timing!.runs) : '',
    ratio,
    result.gflops === undefined ? '' : formatNumber(result.gflops),
    result.dispatches === undefined ? '' : String(result.dispatches),
    result.peakGpuBytes !== undefined ? formatBytes(result.peakGpuBytes) : timed ? 'n/a' : '',
    result.maxRelativeError === undefined ? '' : formatError(result.maxRelativeError),
    truncate(result.note ?? (result.status === 'ok' ? '' : result.status), 70),
  ];
}

/** Three significant digits, without exponent notation for the usual ranges. */
function formatNumber(value: number): string {
  if (value === 0) return '0';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function formatError(value: number): string {
  return Number.isFinite(value) ? value.toExponential(1) : 'inf';
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
