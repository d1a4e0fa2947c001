import type * as v from 'valibot';

/**
 * Replaces each union issue whose input got inside one option by that option's own issues:
 * `score: [{ "kind": "softcap" }]` fails both the single-mod and the list option of `score`, and the
 * useful line is the list's `score[0].cap: missing required key`, not `score: expected a score mod
 * or an array of score mods`. An option's issues are its own when they lie below the union's value
 * (their paths, relative to it, are not empty); a union none of whose options got inside stays one issue.
 */
export function expandUnionIssues(issues: readonly v.BaseIssue<unknown>[]): v.BaseIssue<unknown>[] {
  return issues.flatMap((issue) => {
    if (issue.type !== 'union' || issue.issues === undefined) return [issue];
    const inside = issue.issues.filter((inner) => (inner.path?.length ?? 0) > 0);
    if (inside.length === 0) return [issue];
    const at = issue.path ?? [];
    return expandUnionIssues(
      inside.map((inner) => ({
        ...inner,
        path: [...at, ...inner.path!] as [v.IssuePathItem, ...v.IssuePathItem[]],
      })),
    );
  });
}
