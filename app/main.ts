import { mount } from 'svelte'
import App from './App.svelte'
import { MeshClient } from './mesh/client.svelte'
import { db } from './storage/db'
import { registerServiceWorker } from './pwa.svelte'
import { Trainer } from './training/trainer.svelte'
import './ui/theme.css'

const client = new MeshClient(db)
const pwa = registerServiceWorker()
const trainer = new Trainer()
client.summarySource = () => ({
  backend: trainer.backend?.backend ?? '',
  samplesPerSecond: trainer.backend?.samplesPerSecond ?? 0,
  roundPhase: '',
})
mount(App, { target: document.getElementById('app')!, props: { client, pwa, trainer } })
// Test hooks only in the test build (`vite build --mode test`): elsewhere MODE is a constant that
// is not 'test', so this branch and the module it imports are dropped from the bundle.
if (import.meta.env.MODE === 'test') {
  const { installTestHandle } = await import('./mesh/test-handle')
  installTestHandle(client, trainer)
}
client.start().catch((err) => console.error('mesh node failed to start', err))
