import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PublishablePackage } from './publishable-packages.js';

/** A TypeScript example from a package's README, to be type-checked against the installed tarballs. */
export interface ReadmeExample {
  /** A file name for it: the package's folder name and the block's index, e.g. `runtime-1.ts`. */
  readonly fileName: string;
  readonly source: string;
}

/** The \`\`\`ts blocks of every package's README.md, each a complete program. */
export function readmeExamples(root: string, packages: readonly PublishablePackage[]): ReadmeExample[] {
  return packages.flatMap((entry) => {
    const readme = readFileSync(join(root, entry.directory, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
    const folder = entry.directory.split('/').at(-1) ?? entry.name;
    return blocks.map((source, index) => ({ fileName: `${folder}-${index + 1}.ts`, source }));
  });
}
