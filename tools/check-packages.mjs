#!/usr/bin/env node
// Package checks for every publishable package: publint (package.json and exports are valid) and
// Are The Types Wrong (types resolve for ESM consumers). Needs `pnpm build` first.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let failures = 0;
for (const folder of readdirSync('packages')) {
  const dir = join('packages', folder);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private) continue;
  for (const [tool, args] of [
    ['publint', ['exec', 'publint', '--strict', dir]],
    ['attw', ['exec', 'attw', '--pack', dir, '--profile', 'esm-only', '--format', 'table-flipped']],
  ]) {
    const { status } = spawnSync('pnpm', args, { stdio: 'inherit' });
    console.log(`${manifest.name}: ${tool} ${status === 0 ? 'ok' : 'FAILED'}`);
    if (status !== 0) failures++;
  }
}
process.exit(failures > 0 ? 1 : 0);
