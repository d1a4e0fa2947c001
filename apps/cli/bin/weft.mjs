#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, with workspace packages resolved to their sources.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const { status, signal } = spawnSync(
  process.execPath,
  ['--conditions=@weft/source', '--import', tsx, main, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(status ?? (signal ? 1 : 0));
