import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The versions pinned in the `catalog:` section of pnpm-workspace.yaml (one `name: version` line
 * each), so that the fresh project installs what the workspace tests with — and, being in the
 * store already, installs it without the network.
 */
export function catalogVersions(root: string, names: readonly string[]): Record<string, string> {
  const text = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const section = text.split(/^catalog:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
  const versions: Record<string, string> = {};
  for (const line of section.split('\n')) {
    const match = /^\s+"?([^":\s]+)"?:\s*(\S+)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) versions[match[1]] = match[2];
  }
  for (const name of names) {
    if (versions[name] === undefined) throw new Error(`pnpm-workspace.yaml: no catalog version of ${name}`);
  }
  return Object.fromEntries(names.map((name) => [name, versions[name] as string]));
}
