import { mount } from 'svelte'
import App from './App.svelte'
import { MeshClient } from './mesh/client.svelte'
import { db } from './storage/db'
import { registerServiceWorker } from './pwa.svelte'
import { installTestHandle } from './mesh/test-handle'
import './ui/theme.css'

const client = new MeshClient(db)
const pwa = registerServiceWorker()
mount(App, { target: document.getElementById('app')!, props: { client, pwa } })
installTestHandle(client)
client.start().catch((err) => console.error('mesh node failed to start', err))
