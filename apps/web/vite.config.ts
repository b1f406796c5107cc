/**
 * Vite builds the app to `dist/` (served by the node at `/`); `npm run dev -w @souk/web` serves it with hot reload
 * and proxies the API to a running node (`SOUK_NODE_URL`, default `http://127.0.0.1:8080`). Vitest runs the
 * component tests in jsdom with the same resolution.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const here = path.dirname(fileURLToPath(import.meta.url));
const node = process.env.SOUK_NODE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [react(), tailwindcss()],
  resolve: {
    // The monorepo also holds React 18 (a dependency of a dependency of the node): one React for the whole app.
    dedupe: ['react', 'react-dom'],
    alias: {
      react: path.join(here, 'node_modules/react'),
      'react-dom': path.join(here, 'node_modules/react-dom'),
    },
  },
  build: {
    outDir: 'dist',
    // Not `assets/`: that is the prefix of the app's own `/assets/:id` pages.
    assetsDir: 'static',
    sourcemap: true,
    chunkSizeWarningLimit: 2048,
  },
  server: {
    proxy: {
      '/api': node,
      '/info': node,
      '/health': node,
      '/ready': node,
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/oneReact.ts', 'src/test/setup.ts'],
  },
});
