import { describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { migrate, migrations, openDatabase, PeerBook, schemaVersion } from '../../../relay/db'

describe('relay database', () => {
  it('applies every migration once and records the schema version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-db-'))
    const db = openDatabase(dir)
    expect(schemaVersion(db)).toBe(migrations.length)
    new PeerBook(db).sawPeer('peer-a', '/ip4/127.0.0.1/tcp/1/ws', 10)
    db.close()
    // Reopening runs nothing again and keeps the data.
    const again = openDatabase(dir)
    expect(schemaVersion(again)).toBe(migrations.length)
    const book = new PeerBook(again)
    book.sawPeer('peer-a', '/ip4/127.0.0.1/tcp/2/ws', 20)
    expect(book.knownPeers()).toBe(1)
    expect(again.prepare('SELECT connections, first_seen_ms FROM peers').get()).toEqual({ connections: 2, first_seen_ms: 10 })
    again.close()
  })

  it('upgrades an older schema step by step and refuses a newer one', () => {
    const db = new Database(':memory:')
    migrate(db, migrations.slice(0, 1))
    migrate(db, [...migrations, 'CREATE TABLE extra (x INTEGER);'])
    expect(schemaVersion(db)).toBe(migrations.length + 1)
    expect(() => migrate(db, migrations)).toThrow(/newer than this relay understands/)
  })

  it('rolls back a failing migration as a whole', () => {
    const db = new Database(':memory:')
    expect(() => migrate(db, ['CREATE TABLE a (x INTEGER); INSERT INTO nowhere VALUES (1);'])).toThrow()
    expect(schemaVersion(db)).toBe(0)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'a'").get()).toBeUndefined()
  })
})
