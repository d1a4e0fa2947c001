import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import type { PackedPackage } from './pack-tarballs.js';

/**
 * Lints each tarball as it would be published: publint (strict: the manifest, `exports`, `bin` and
 * `files` are valid and point at packed files) and, for libraries, Are The Types Wrong (types
 * resolve for ESM consumers under node16 and bundler resolution). Returns the failures, one line each.
 */
export async function lintTarballs(root: string, packages: readonly PackedPackage[]): Promise<string[]> {
  const failures: string[] = [];
  for (const entry of packages) {
    const bytes = readFileSync(entry.tarball);
    const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const { messages, pkg } = await publint({ pack: { tarball }, strict: true });
    for (const message of messages) {
      console.log(`${entry.name}: publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`);
    }
    const publintErrors = messages.filter((message) => message.type !== 'suggestion').length;
    console.log(`${entry.name}: publint ${publintErrors === 0 ? 'ok' : 'FAILED'}`);
    if (publintErrors > 0) failures.push(`${entry.name}: publint found ${publintErrors} problem(s)`);

    if (!entry.library) continue;
    const attw = spawnSync(
      'pnpm',
      ['exec', 'attw', entry.tarball, '--profile', 'esm-only', '--format', 'table-flipped'],
      { cwd: root, stdio: 'inherit' },
    );
    console.log(`${entry.name}: attw ${attw.status === 0 ? 'ok' : 'FAILED'}`);
    if (attw.status !== 0) failures.push(`${entry.name}: attw exited ${attw.status}`);
  }
  return failures;
}
