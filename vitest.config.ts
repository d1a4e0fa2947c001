import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumWebGpuArgs } from './tools/chromium-flags.js';

// Workspace packages resolve to their TypeScript sources: tests need no build.
const conditions = ['@weft/source', 'module', 'node', 'import', 'default'];
const nodeProject = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
};
const swiftShaderIcd = '/usr/lib/chromium/vk_swiftshader_icd.json';

export default defineConfig({
  test: {
    // Browser sessions: Chromium and the page's first transform are slow on a loaded 2-core machine.
    browser: { connectTimeout: 300_000 },
    projects: [
      {
        ...nodeProject,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tools/**/*.test.ts'],
          exclude: ['**/*.gpu.test.ts', '**/*.browser.test.ts', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        ...nodeProject,
        test: {
          name: 'gpu',
          include: [
            'packages/*/src/**/*.gpu.test.ts',
            'apps/*/src/**/*.gpu.test.ts',
            'tools/**/*.gpu.test.ts',
          ],
          // SwiftShader emulates the GPU on the CPU: one file at a time keeps timings sane on 2 cores.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
          env: { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? swiftShaderIcd },
        },
      },
      {
        resolve: { conditions: ['@weft/source', 'browser', 'module', 'import', 'default'] },
        test: {
          name: 'browser',
          include: ['packages/*/src/**/*.browser.test.ts', 'apps/*/src/**/*.browser.test.ts'],
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: {
                executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
                args: chromiumWebGpuArgs({ playwright: true }),
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
