import { Workbox } from 'workbox-window'

/** Service-worker and connectivity state for the UI. */
export class PwaState {
  online = $state(navigator.onLine)
  offlineReady = $state(false)
  updateAvailable = $state(false)
  private workbox: Workbox | undefined

  constructor() {
    window.addEventListener('online', () => (this.online = true))
    window.addEventListener('offline', () => (this.online = false))
  }

  attach(workbox: Workbox): void {
    this.workbox = workbox
    workbox.addEventListener('activated', () => (this.offlineReady = true))
    workbox.addEventListener('waiting', () => (this.updateAvailable = true))
  }

  /** Markers the shell itself sets when it was served from the cache and the network is down. */
  applyUpdate(): void {
    this.workbox?.messageSkipWaiting()
    window.location.reload()
  }
}

export function registerServiceWorker(): PwaState {
  const state = new PwaState()
  if ('serviceWorker' in navigator && import.meta.env.PROD) {
    const workbox = new Workbox('/sw.js', { scope: '/' })
    state.attach(workbox)
    workbox
      .register()
      .then(() => navigator.serviceWorker.ready)
      .then(() => (state.offlineReady = true))
      .catch((err) => console.warn('service worker registration failed', err))
  }
  return state
}
