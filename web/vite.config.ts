import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// hearthd serves dist/ under a strict CSP (script-src 'self', style-src 'self',
// font-src 'self'), so nothing may be inlined into index.html or as data: fonts.
export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true, changeOrigin: false },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    restoreMocks: true,
    // `make test` runs these beside the C++ build on two cores: a test's time limit is a guard
    // against hangs, not a speed check, so it allows for a loaded machine.
    testTimeout: 20_000,
  },
})
