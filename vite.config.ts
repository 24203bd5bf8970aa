import { defineConfig } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { VitePWA } from 'vite-plugin-pwa'

/** The mode whose build carries the test hooks (window.agentMesh, the bench sink); see app/main.ts. */
const TEST_MODE = 'test'

// The PWA lives in app/; the relay serves the built dist/ from the same origin as /api.
// `vite build` is the production build (dist/); `vite build --mode test` is the same optimised
// build plus the test hooks, written to dist-test/ for the end-to-end tests and benchmarks.
export default defineConfig(({ mode }) => ({
  root: 'app',
  publicDir: '../public',
  build: {
    outDir: mode === TEST_MODE ? '../dist-test' : '../dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: 'es' },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080', '/metrics': 'http://127.0.0.1:8080' },
  },
  plugins: [
    svelte(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      strategies: 'generateSW',
      filename: 'sw.js',
      manifest: {
        name: 'Agent Mesh',
        short_name: 'Agent Mesh',
        description: 'Your browser as a node of a decentralized federated-learning mesh',
        theme_color: '#0f172a',
        background_color: '#f1f5f9',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,wasm}'],
        // The tfjs worker chunk is larger than Workbox's 2 MiB default; without this, offline training breaks silently.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/metrics/, /^\/healthz/],
        clientsClaim: true,
        skipWaiting: true,
        cleanupOutdatedCaches: true,
        // The 7.9 MB training data is not precached on install; the first training run caches it,
        // and it is served from the cache from then on, offline too.
        runtimeCaching: [
          {
            urlPattern: ({ url }) => url.pathname.startsWith('/data/'),
            handler: 'CacheFirst',
            options: { cacheName: 'training-data', expiration: { maxEntries: 8 } },
          },
        ],
      },
    }),
  ],
}))
