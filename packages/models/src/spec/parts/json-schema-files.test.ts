import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from '../../../scripts/json-schemas.js';

describe('published JSON Schema files', () => {
  it.each(Object.entries(jsonSchemaFiles()))(
    'schema/%s equals a fresh generation (run `pnpm --filter @weft/models schemas`)',
    (file, text) => {
      const checkedIn = readFileSync(new URL(`../../../schema/${file}`, import.meta.url), 'utf8');
      expect(checkedIn).toBe(text);
    },
  );

  it('are in the package files', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    expect(manifest.files).toContain('schema');
  });
});
