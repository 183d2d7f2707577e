// Vite configuration for the console: React, a build into dist/ served by `rapport serve` at /,
// a development proxy of the API to a running server (RAPPORT_API, default 127.0.0.1:8080),
// and Vitest's settings (pure logic tests in Node, no DOM). The dev server may also read
// ../examples (the import mapping templates, imported as `?raw`).
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Node's `process`, declared here rather than pulling in @types/node for one line.
declare const process: { env: Record<string, string | undefined> };

const api = process.env.RAPPORT_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      output: {
        // React apart from the console's code: it changes less often, so browsers keep it cached.
        // ECharts (and its renderer, zrender) in one chunk of its own, shared by every chart and
        // loaded when the first chart is drawn.
        manualChunks: (id) =>
          /node_modules\/(react|react-dom|scheduler)\//.test(id)
            ? 'react'
            : /node_modules\/(echarts|zrender|tslib)\//.test(id)
              ? 'echarts'
              : undefined,
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    fs: { allow: ['.', '../examples'] },
    proxy: {
      '/api': { target: api, changeOrigin: true },
      '/v1': { target: api, changeOrigin: true },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
