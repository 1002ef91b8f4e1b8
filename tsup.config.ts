import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'testing/replica': 'src/testing/replica/index.ts',
    cli: 'src/cli/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: {
    entry: {
      index: 'src/index.ts',
      'testing/index': 'src/testing/index.ts',
      'testing/replica': 'src/testing/replica/index.ts',
    },
  },
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
  splitting: true,
  shims: true,
  // Dependencies stay packages: bundling native sqlite3 or vitest into dist breaks them.
  skipNodeModulesBundle: true,
});
