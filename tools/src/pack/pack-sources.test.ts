import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogVersions } from './catalog-versions.js';
import { publishablePackages } from './publishable-packages.js';
import { readmeExamples } from './readme-examples.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('the package check inputs', () => {
  it('finds the published packages, the CLI among them, and no private app', () => {
    const packages = publishablePackages(root);
    const names = packages.map((entry) => entry.name);
    expect(names).toEqual(
      expect.arrayContaining(['@weft/ir', '@weft/attention', '@weft/runtime', '@weft/cli']),
    );
    expect(names).not.toContain('@weft/playground');
    expect(packages.find((entry) => entry.name === '@weft/cli')?.library).toBe(false);
    expect(packages.find((entry) => entry.name === '@weft/ir')?.library).toBe(true);
  });

  it('takes a complete TypeScript example from every README', () => {
    const packages = publishablePackages(root);
    const examples = readmeExamples(root, packages);
    for (const entry of packages.filter((candidate) => candidate.library)) {
      const folder = entry.directory.split('/').at(-1);
      const own = examples.filter((example) => example.fileName.startsWith(`${folder}-`));
      expect(own.length, entry.name).toBeGreaterThan(0);
      for (const example of own)
        expect(example.source, example.fileName).toMatch(/^import .* from '@weft\//m);
    }
  });

  it('reads the catalog versions that the workspace pins', () => {
    const versions = catalogVersions(root, ['typescript', '@webgpu/types']);
    const workspace = readFileSync(`${root}/pnpm-workspace.yaml`, 'utf8');
    expect(workspace).toContain(`typescript: ${versions.typescript}`);
    expect(workspace).toContain(`"@webgpu/types": ${versions['@webgpu/types']}`);
    expect(() => catalogVersions(root, ['no-such-package'])).toThrow(/no catalog version of no-such-package/);
  });
});
