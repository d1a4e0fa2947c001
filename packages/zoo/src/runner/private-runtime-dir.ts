import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * For command-line entry points, before the WebGPU binding loads: where `XDG_RUNTIME_DIR` is
 * unset, sets it to a private temporary folder (mode 0700), removed when the process exits.
 *
 * Dawn's Vulkan loader prints `error: XDG_RUNTIME_DIR is invalid or not set in the environment.`
 * twice on every run without it (containers, CI, ssh sessions), which reads as a failure though
 * nothing failed. Libraries leave the environment alone; only entry points call this.
 */
export function usePrivateRuntimeDir(): void {
  if (process.env.XDG_RUNTIME_DIR) return;
  const dir = mkdtempSync(join(tmpdir(), 'weft-runtime-'));
  process.env.XDG_RUNTIME_DIR = dir;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}
