// Bundles the sandboxed preload into a single CommonJS file (sandboxed preloads can only require 'electron').
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL('../../build/main/shell', import.meta.url)),
    emptyOutDir: false,
    target: 'node22',
    minify: false,
    lib: {
      entry: fileURLToPath(new URL('./preload.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rollupOptions: { external: ['electron'] },
  },
});
