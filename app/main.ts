import { mount } from 'svelte'
import App from './App.svelte'
import { MeshClient } from './mesh/client.svelte'
import { MeshDatabase } from './storage/db'
import { claimNodeSlot } from './storage/node-slot'
import { registerServiceWorker } from './pwa.svelte'
import { Trainer } from './training/trainer.svelte'
import { FederatedClient } from './fl/federated.svelte'
import { ValidatorDutyClient } from './consensus/validator-duty.svelte'
import './ui/theme.css'

// Each open tab is its own node with its own databases (app/storage/node-slot.ts).
const slot = await claimNodeSlot()
const db = new MeshDatabase(slot.databaseName('agent-mesh'))
const client = new MeshClient(db, slot)
const pwa = registerServiceWorker()
const trainer = new Trainer()
const fl = new FederatedClient(client, trainer, db)
const validatorDuty = new ValidatorDutyClient(client)
client.summarySource = () => ({
  backend: trainer.backend?.backend ?? '',
  samplesPerSecond: trainer.backend?.samplesPerSecond ?? 0,
  roundPhase: fl.status?.phase ?? '',
})
mount(App, { target: document.getElementById('app')!, props: { client, pwa, trainer, fl, validatorDuty } })
// Test hooks only in the test build (`vite build --mode test`): elsewhere MODE is a constant that
// is not 'test', so this branch and the module it imports are dropped from the bundle.
if (import.meta.env.MODE === 'test') {
  const { installTestHandle } = await import('./mesh/test-handle')
  installTestHandle(client, trainer, fl, db, validatorDuty)
}
client
  .start()
  .then(() => {
    validatorDuty.watch()
    return fl.resume()
  })
  .catch((err) => console.error('mesh node failed to start', err))
