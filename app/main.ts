import { mount } from 'svelte'
import App from './App.svelte'
import { MeshClient } from './mesh/client.svelte'
import { db } from './storage/db'
import { registerServiceWorker } from './pwa.svelte'
import { installTestHandle } from './mesh/test-handle'
import { Trainer } from './training/trainer.svelte'
import './ui/theme.css'

const client = new MeshClient(db)
const pwa = registerServiceWorker()
const trainer = new Trainer()
client.summarySource = () => ({ backend: trainer.backend?.backend ?? '', samplesPerSecond: trainer.backend?.samplesPerSecond ?? 0, roundPhase: '' })
mount(App, { target: document.getElementById('app')!, props: { client, pwa, trainer } })
installTestHandle(client, trainer)
client.start().catch((err) => console.error('mesh node failed to start', err))
