import { runCli } from '../cli.js';

/** What one in-process `weft` command printed: its exit code, stdout and stderr lines, progress text. */
export interface WeftRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** What the progress display wrote (plain lines: the stream is not a terminal). */
  readonly progress: string;
}

/** Runs `weft ...args` in this process, capturing what it prints (the tests' command line). */
export async function runWeft(...args: string[]): Promise<WeftRun> {
  const out: string[] = [];
  const err: string[] = [];
  let progress = '';
  const code = await runCli(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    progress: { isTTY: false, write: (text) => (progress += text) },
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), progress };
}
