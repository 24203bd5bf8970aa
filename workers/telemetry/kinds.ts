import { NodeReport } from '../protocol/wire.pb'
import { defineKinds, KiB, type PayloadsOf } from '../protocol/kind-spec'

/** A browser's opt-in metrics summary, posted to the relay that served its page. */
export const telemetryKinds = defineKinds({
  'ops.report': { codec: NodeReport.codec(), carrier: 'http', maxEnvelopeBytes: 1 * KiB, senders: 'any-role' },
})

declare module '../protocol/kind-spec' {
  interface MessageKindMap extends PayloadsOf<typeof telemetryKinds> {}
}
