import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAgainst, NoBaseline, resolveCommit } from './baseline.js';

describe('choosing the baseline revision', () => {
  let root: string;
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'test',
        GIT_AUTHOR_EMAIL: 'test@example.invalid',
        GIT_COMMITTER_NAME: 'test',
        GIT_COMMITTER_EMAIL: 'test@example.invalid',
      },
    }).trim();
  const commit = (message: string) => {
    writeFileSync(path.join(root, 'file.txt'), message);
    git('add', 'file.txt');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };

  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'weft-replay-test-'));
    git('init', '-q', '-b', 'main');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is the merge base with main on a branch, and HEAD~1 on main itself', () => {
    commit('one');
    const two = commit('two');
    expect(defaultAgainst(root)).toBe('HEAD~1');
    git('checkout', '-q', '-b', 'feature');
    expect(defaultAgainst(root)).toBe('HEAD~1');
    commit('three');
    expect(defaultAgainst(root)).toBe(two);
    expect(resolveCommit(root, defaultAgainst(root))).toBe(two);
  });

  it('says there is no baseline, without failing, when the revision is not in the clone', () => {
    expect(() => resolveCommit(root, 'no-such-revision')).toThrow(NoBaseline);
    expect(() => resolveCommit(root, 'HEAD~99')).toThrow(/not in this clone/);
  });
});
