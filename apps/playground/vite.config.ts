import { defineConfig } from 'vite';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources, as in the tests: no package build needed.
  resolve: { conditions: ['@weft/source', 'browser', 'module', 'import', 'default'] },
  build: {
    target: 'es2022',
    rolldownOptions: {
      // Dawn's Node binding is loaded only outside a browser (`navigator.gpu` wins in a page).
      external: ['webgpu', /^node:/],
    },
  },
});
