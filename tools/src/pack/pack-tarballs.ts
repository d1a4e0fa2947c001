import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import type { PublishablePackage } from './publishable-packages.js';

/** A package packed by `pnpm pack`: what npm would publish. */
export interface PackedPackage extends PublishablePackage {
  /** Absolute path of its tarball. */
  readonly tarball: string;
  /** The tarball's size in bytes. */
  readonly bytes: number;
  /** How many files it holds. */
  readonly fileCount: number;
  /** Whether it holds a README.md (the package's page on the registry). */
  readonly hasReadme: boolean;
}

interface PnpmPackEntry {
  readonly name: string;
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

/**
 * Packs every package into `destination` with one `pnpm pack` (pnpm, not npm: it replaces the
 * `workspace:` and `catalog:` specifiers with versions and applies `publishConfig`, as publishing does).
 */
export function packTarballs(
  root: string,
  packages: readonly PublishablePackage[],
  destination: string,
): PackedPackage[] {
  const filters = packages.flatMap((entry) => ['--filter', entry.name]);
  const stdout = execFileSync('pnpm', [...filters, 'pack', '--pack-destination', destination, '--json'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // One package prints an object, several an array.
  const parsed = JSON.parse(stdout) as PnpmPackEntry | PnpmPackEntry[];
  const entries = Array.isArray(parsed) ? parsed : [parsed];
  return packages.map((entry) => {
    const packed = entries.find((candidate) => candidate.name === entry.name);
    if (packed === undefined) throw new Error(`pnpm pack made no tarball for ${entry.name}`);
    return {
      ...entry,
      tarball: packed.filename,
      bytes: statSync(packed.filename).size,
      fileCount: packed.files.length,
      hasReadme: packed.files.some((file) => file.path === 'README.md'),
    };
  });
}
