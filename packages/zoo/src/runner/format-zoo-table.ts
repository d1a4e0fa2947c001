import { formatTable } from '@weft/ir';
import type { ZooMeasurement } from './measure-zoo-entry.js';

const HEADINGS = [
  'mechanism',
  'paper',
  'group',
  'kernels',
  'max rel. error',
  'tolerance',
  'median ms',
  '± MAD',
  '',
] as const;

/**
 * A plain-text table of zoo measurements, one row per entry: mechanism, catalog paper id and group,
 * kernels, max relative error vs float64, its tolerance, median ms and its spread (median absolute deviation), and `FAIL` where the error
 * exceeds the tolerance.
 */
export function formatZooTable(measurements: readonly ZooMeasurement[]): string {
  const rows = measurements.map((measurement) => [
    measurement.mechanism,
    // A mechanism from outside the catalog has no paper number.
    measurement.paper.id === null ? '—' : String(measurement.paper.id),
    measurement.paper.group,
    String(measurement.kernels),
    measurement.maxRelativeError.toExponential(2),
    measurement.tolerance.toExponential(0),
    measurement.medianMs.toFixed(3),
    measurement.madMs.toFixed(3),
    measurement.passed ? '' : 'FAIL',
  ]);
  // Text columns align left, numbers right.
  return formatTable(rows, {
    header: HEADINGS,
    align: ['left', 'right', 'left', 'right', 'right', 'right', 'right', 'right'],
  });
}
