import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A workspace package that is published to the registry. */
export interface PublishablePackage {
  /** Its name, e.g. `@weft/ir`. */
  readonly name: string;
  /** Its folder, relative to the workspace root. */
  readonly directory: string;
  /** Whether it has an `exports` map with types (a library); the CLI has only a `bin`. */
  readonly library: boolean;
}

/** Every package under `packages/` and `apps/` that is not `private`, in folder order. */
export function publishablePackages(root: string): PublishablePackage[] {
  const found: PublishablePackage[] = [];
  for (const parent of ['packages', 'apps']) {
    for (const folder of readdirSync(join(root, parent)).sort()) {
      const directory = join(parent, folder);
      const manifestFile = join(root, directory, 'package.json');
      if (!existsSync(manifestFile)) continue;
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
        name: string;
        private?: boolean;
        exports?: unknown;
      };
      if (manifest.private === true) continue;
      found.push({ name: manifest.name, directory, library: manifest.exports !== undefined });
    }
  }
  return found;
}
