import type * as v from 'valibot';

/**
 * Formats schema issues as one line each, `path: expected …, got …`, with the path written the
 * way JavaScript would reach the value (`config.layers`, `config.positions.fraction`, `items[2]`).
 * `base` is the path of the validated value inside a larger document (`layers[3].attention`).
 */
export function formatIssues(issues: readonly v.BaseIssue<unknown>[], base = ''): string[] {
  return issues.map((issue) => {
    const path = joinPath(base, formatPath(issue.path ?? []));
    return `${path === '' ? '(document)' : path}: ${describeIssue(issue)}`;
  });
}

/** Appends a formatted path (`a.b`, `[2].c`) to a base path (`layers[3]`). */
export function joinPath(base: string, path: string): string {
  if (base === '' || path === '') return base + path;
  return path.startsWith('[') ? `${base}${path}` : `${base}.${path}`;
}

/** Writes an issue path as `a.b[2].c`; keys that are not identifiers are quoted (`a["x y"]`). */
export function formatPath(path: readonly v.IssuePathItem[]): string {
  let text = '';
  for (const item of path) {
    const key = item.key;
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object' && issue.expected === 'never') return 'unknown key';
  if (issue.type === 'strict_object' && issue.received === 'undefined' && issue.path !== undefined) {
    return `missing required key (expected ${issue.expected})`;
  }
  // Messages this package wrote start with "expected"; the library's defaults get a uniform form.
  if (issue.message.startsWith('expected')) return issue.message;
  return `expected ${issue.expected ?? 'a valid value'}, got ${issue.received}`;
}
