import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { AuditRecord } from './entry'
import { readAll, type AuditStore } from './store'

/** One entry as a JSON line; byte fields in hex, details as the exact signed text. */
export function auditRecordToJson(record: AuditRecord): string {
  return JSON.stringify({
    seq: record.seq,
    event: record.event,
    actor: record.actor,
    subject: record.subject,
    timeMs: record.timeMs,
    details: record.details,
    prevHash: bytesToHex(record.prevHash),
    writer: bytesToHex(record.writer),
    signature: bytesToHex(record.signature),
    hash: bytesToHex(record.hash),
  })
}

/** The whole log as JSON lines (one entry per line, newline-terminated). */
export async function exportAuditLog(store: AuditStore): Promise<string> {
  const lines: string[] = []
  for await (const record of readAll(store)) lines.push(auditRecordToJson(record))
  return lines.map((line) => `${line}\n`).join('')
}

/** Reads an export back so that it can be verified on its own (e.g. by an auditor). */
export function parseAuditJsonLines(text: string): AuditRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, index) => {
      const o = JSON.parse(line) as Record<string, unknown>
      const str = (key: string): string => {
        if (typeof o[key] !== 'string') throw new Error(`line ${index + 1}: ${key} is not a string`)
        return o[key] as string
      }
      const num = (key: string): number => {
        if (!Number.isSafeInteger(o[key])) throw new Error(`line ${index + 1}: ${key} is not an integer`)
        return o[key] as number
      }
      return {
        seq: num('seq'),
        event: str('event'),
        actor: str('actor'),
        subject: str('subject'),
        timeMs: num('timeMs'),
        details: str('details'),
        prevHash: hexToBytes(str('prevHash')),
        writer: hexToBytes(str('writer')),
        signature: hexToBytes(str('signature')),
        hash: hexToBytes(str('hash')),
      }
    })
}
