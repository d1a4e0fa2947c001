// Writes the JSON Schema files of schema/ from the valibot schemas (see json-schemas.ts).
import { writeFileSync } from 'node:fs';
import { jsonSchemaFiles } from './json-schemas.js';

for (const [file, text] of Object.entries(jsonSchemaFiles())) {
  writeFileSync(new URL(`../schema/${file}`, import.meta.url), text);
  console.log(`wrote schema/${file}`);
}
