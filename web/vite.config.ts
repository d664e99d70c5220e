/**
 * Builds the web client into web/dist, which the platform serves at `/`. Preact through esbuild's
 * automatic JSX runtime: no framework plugin needed.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The page's CSP allows scripts from this origin only: no inline polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: { proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true }, '/auth': 'http://127.0.0.1:8080' } },
})
