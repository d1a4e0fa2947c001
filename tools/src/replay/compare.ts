// Comparing two kernel corpora: which kernels were added, removed or changed, with unified diffs.
import { createTwoFilesPatch } from 'diff';
import { type Corpus, entryOfKey } from './corpus.js';

/** One kernel whose WGSL differs between the baseline and the current corpus. */
export interface ChangedKernel {
  /** `<entry>/<profile>/<kernel index>`. */
  readonly key: string;
  /** The current kernel's `<template> <label>` (the baseline's if the current has none). */
  readonly label: string;
  /** Unified diff, baseline → current. */
  readonly diff: string;
}

/** A kernel only one side has. */
export interface KernelRef {
  /** `<entry>/<profile>/<kernel index>`. */
  readonly key: string;
  /** Its `<template> <label>`. */
  readonly label: string;
}

/** What changed between two corpora. */
export interface ReplayReport {
  /** Kernels present on both sides and compared. */
  readonly compared: number;
  /** Of those, kernels with identical WGSL. */
  readonly unchanged: number;
  /** Kernels only the current corpus has. */
  readonly added: readonly KernelRef[];
  /** Kernels only the baseline has. */
  readonly removed: readonly KernelRef[];
  /** Kernels whose WGSL differs. */
  readonly changed: readonly ChangedKernel[];
  /** Entries left out of the comparison (one side could not build them), with the reason. */
  readonly skipped: Readonly<Record<string, string>>;
}

/** Orders keys by entry, then profile (code-point order), then kernel index as a number. */
export function compareKeys(a: string, b: string): number {
  const split = (key: string) => {
    const parts = key.split('/');
    return [parts.slice(0, -2).join('/'), parts.at(-2) ?? '', Number(parts.at(-1))] as const;
  };
  const [entryA, profileA, indexA] = split(a);
  const [entryB, profileB, indexB] = split(b);
  if (entryA !== entryB) return entryA < entryB ? -1 : 1;
  if (profileA !== profileB) return profileA < profileB ? -1 : 1;
  return indexA - indexB;
}

function isSkipped(key: string, skipped: Readonly<Record<string, string>>): boolean {
  const entry = entryOfKey(key);
  return Object.keys(skipped).some((prefix) => entry === prefix || entry.startsWith(`${prefix}/`));
}

/**
 * Compares `current` with `baseline` kernel by kernel (same key = same entry, profile and kernel
 * index). Entries either side lists as skipped are left out on both sides.
 */
export function compareCorpora(baseline: Corpus, current: Corpus): ReplayReport {
  const skipped = { ...baseline.skipped, ...current.skipped };
  const keep = (key: string) => !isSkipped(key, skipped);
  const before = Object.keys(baseline.kernels).filter(keep);
  const after = Object.keys(current.kernels).filter(keep);
  const beforeSet = new Set(before);
  const afterSet = new Set(after);
  const label = (corpus: Corpus, key: string) => corpus.labels[key] ?? '';
  const added = after
    .filter((key) => !beforeSet.has(key))
    .sort(compareKeys)
    .map((key) => ({ key, label: label(current, key) }));
  const removed = before
    .filter((key) => !afterSet.has(key))
    .sort(compareKeys)
    .map((key) => ({ key, label: label(baseline, key) }));
  const common = after.filter((key) => beforeSet.has(key)).sort(compareKeys);
  const changed: ChangedKernel[] = [];
  for (const key of common) {
    const old = baseline.kernels[key]!;
    const now = current.kernels[key]!;
    if (old === now) continue;
    changed.push({
      key,
      label: label(current, key) || label(baseline, key),
      diff: createTwoFilesPatch(`a/${key}`, `b/${key}`, old, now, '', '', { context: 3 }),
    });
  }
  return {
    compared: common.length,
    unchanged: common.length - changed.length,
    added,
    removed,
    changed,
    skipped,
  };
}

/** Whether the report has any added, removed or changed kernel. */
export function hasChanges(report: ReplayReport): boolean {
  return report.added.length + report.removed.length + report.changed.length > 0;
}

/** The report as text: counts, the lists, then the diff of each changed kernel. */
export function formatReport(report: ReplayReport, options: { readonly diffs?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(
    `${report.compared} kernels compared: ${report.unchanged} unchanged, ${report.changed.length} changed, ` +
      `${report.added.length} added, ${report.removed.length} removed`,
  );
  for (const [entry, reason] of Object.entries(report.skipped)) lines.push(`skipped ${entry}: ${reason}`);
  const list = (title: string, refs: readonly KernelRef[]) => {
    if (refs.length === 0) return;
    lines.push(`${title}:`);
    for (const { key, label } of refs) lines.push(`  ${key}  (${label})`);
  };
  list('added', report.added);
  list('removed', report.removed);
  list('changed', report.changed);
  if (options.diffs !== false) {
    for (const { key, label, diff } of report.changed) {
      lines.push('', `=== ${key}  (${label})`, diff.trimEnd());
    }
  }
  return `${lines.join('\n')}\n`;
}
