import { formatTable } from '@weft/ir';
import type { InvalidResult } from './invalid-specs.js';
import { KNOWN_DEVICE_ISSUES, KNOWN_INVALID_ISSUES, knownIssueOf } from './known-issues.js';
import type { CaseResult, Outcome } from './run-device-case.js';

const OUTCOMES: readonly Outcome[] = ['ok', 'mismatch', 'invalid-wgsl', 'untyped-error', 'rejected'];

function formatError(error: number | undefined): string {
  if (error === undefined) return '—';
  if (!Number.isFinite(error)) return 'NaN/Inf';
  return error === 0 ? '0' : error.toExponential(2);
}

/** The per-family table of device cases: counts by outcome, the budget and the worst error. */
export function deviceTable(results: readonly CaseResult[]): string {
  const families = new Map<string, CaseResult[]>();
  for (const result of results) {
    const list = families.get(result.recipe.family) ?? [];
    list.push(result);
    families.set(result.recipe.family, list);
  }
  const header = ['family', 'cases', ...OUTCOMES, 'known', 'budget', 'worst error', 'worst seed'];
  const rows = [...families.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([family, list]) => {
      const measured = list.filter((result) => result.error !== undefined);
      const worst = measured.reduce<CaseResult | undefined>(
        (best, result) => (best === undefined || !(result.error! <= best.error!) ? result : best),
        undefined,
      );
      return [
        family,
        String(list.length),
        ...OUTCOMES.map((outcome) => String(list.filter((result) => result.outcome === outcome).length)),
        String(
          list.filter(
            (result) =>
              result.outcome !== 'ok' &&
              result.outcome !== 'rejected' &&
              knownIssueOf(KNOWN_DEVICE_ISSUES, result),
          ).length,
        ),
        list[0]!.recipe.budget.toExponential(0),
        formatError(worst?.error),
        worst === undefined ? '—' : String(worst.recipe.seed),
      ];
    });
  const total = [
    'TOTAL',
    String(results.length),
    ...OUTCOMES.map((outcome) => String(results.filter((result) => result.outcome === outcome).length)),
    String(
      results.filter(
        (result) =>
          result.outcome !== 'ok' &&
          result.outcome !== 'rejected' &&
          knownIssueOf(KNOWN_DEVICE_ISSUES, result),
      ).length,
    ),
    '',
    '',
    '',
  ];
  // Every column but the family counts something: numbers align right.
  return formatTable([...rows, total], {
    header,
    align: header.map((_, column) => (column === 0 ? 'left' : 'right')),
    rule: false,
  });
}

/** One failing device case, with its recipe (reproduce with `pnpm fuzz --replay SEED`). */
export function formatDeviceFailure(result: CaseResult): string {
  const known = knownIssueOf(KNOWN_DEVICE_ISSUES, result);
  const lines = [
    `✗ ${result.outcome} [${result.recipe.family}] seed ${result.recipe.seed}` +
      (result.error === undefined
        ? ''
        : ` error ${formatError(result.error)} (budget ${result.recipe.budget.toExponential(0)}` +
          (result.cpuF32Error === undefined ? ')' : `, CPU f32 error ${formatError(result.cpuF32Error)})`)) +
      (result.stage === undefined ? '' : ` at ${result.stage}`) +
      (known === undefined ? '' : ` — known issue ${known.kind}`),
    `  tags: ${result.recipe.tags.join(' ')}`,
    `  spec: ${JSON.stringify(result.recipe.spec)}`,
  ];
  if (result.message !== undefined) lines.push(`  ${result.message.split('\n').slice(0, 6).join('\n  ')}`);
  lines.push(`  reproduce: pnpm fuzz --replay ${result.recipe.seed} --only ${result.recipe.kind}`);
  return lines.join('\n');
}

/** The invalid-spec summary: counts by source and outcome, then each non-typed case grouped by mutation. */
export function invalidSummary(results: readonly InvalidResult[]): string {
  const lines: string[] = [];
  for (const source of ['json-model', 'attention-options'] as const) {
    const list = results.filter((result) => result.source === source);
    const count = (outcome: InvalidResult['outcome']) =>
      list.filter((result) => result.outcome === outcome).length;
    lines.push(
      `${source}: ${list.length} cases, ${count('typed')} WeftError, ${count('untyped')} untyped error, ${count('accepted')} accepted`,
    );
  }
  const failures = new Map<string, InvalidResult[]>();
  for (const result of results) {
    if (result.outcome === 'typed') continue;
    const key = `${result.outcome} ${result.mutation}`;
    failures.set(key, [...(failures.get(key) ?? []), result]);
  }
  for (const [key, list] of [...failures.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const first = list[0]!;
    const known = knownIssueOf(KNOWN_INVALID_ISSUES, first);
    lines.push(
      `  ✗ ${key} ×${list.length} (seed ${first.seed}${known === undefined ? '' : `, known issue ${known.kind}`})` +
        (first.message === undefined ? '' : `: ${first.message.split('\n')[0]!.slice(0, 160)}`),
    );
  }
  return lines.join('\n');
}
