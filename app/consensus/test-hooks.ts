import { bytesToHex } from '@noble/hashes/utils.js'
import type { ValidatorDutyClient } from './validator-duty.svelte'

/** The validator duty's part of `window.agentMesh` (test build only, see app/mesh/test-handle.ts). */
export function validatorDutyHooks(duty: ValidatorDutyClient) {
  return {
    validatorEntry: () => duty.entry,
    validatorDuty: () => ({ status: duty.status, detail: duty.detail, duty: duty.current() }),
    /** The decisions in this tab's IndexedDB, hex-encoded, for the test to verify in Node. */
    validatorDecisions: async () =>
      (await duty.storedDecisions()).map((d) => ({
        height: d.height,
        round: d.round,
        decidedAtMs: d.decidedAtMs,
        value: bytesToHex(d.value),
        certificate: bytesToHex(d.certificate),
      })),
  }
}
