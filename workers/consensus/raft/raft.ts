import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface RaftEntry {
  index: bigint
  term: bigint
  kind: number
  command: Uint8Array<ArrayBuffer>
  voters: string[]
}

export namespace RaftEntry {
  let _codec: Codec<RaftEntry>

  export const codec = (): Codec<RaftEntry> => {
    if (_codec == null) {
      _codec = message<RaftEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0n)) {
          w.uint32(8)
          w.uint64(obj.index)
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(16)
          w.uint64(obj.term)
        }

        if ((obj.kind != null && obj.kind !== 0)) {
          w.uint32(24)
          w.uint32(obj.kind)
        }

        if ((obj.command != null && obj.command.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.command)
        }

        if (obj.voters != null && obj.voters.length > 0) {
          for (const value of obj.voters) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0n,
          term: 0n,
          kind: 0,
          command: uint8ArrayAlloc(0),
          voters: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint64()
              break
            }
            case 2: {
              obj.term = reader.uint64()
              break
            }
            case 3: {
              obj.kind = reader.uint32()
              break
            }
            case 4: {
              obj.command = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.voters != null && obj.voters.length === opts.limits.voters) {
                throw new MaxLengthError('Decode error - repeated field "voters" had too many elements')
              }

              obj.voters.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          voters: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.command`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              if (opts.limits?.voters != null && obj.voters === opts.limits.voters) {
                throw new MaxLengthError('Streaming decode error - repeated field "voters" had too many elements')
              }

              yield {
                field: `${prefix}.voters[]`,
                index: obj.voters,
                value: reader.string()
              }

              obj.voters++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftEntryIndexFieldEvent {
    field: '$.index'
    value: bigint
  }

  export interface RaftEntryTermFieldEvent {
    field: '$.term'
    value: bigint
  }

  export interface RaftEntryKindFieldEvent {
    field: '$.kind'
    value: number
  }

  export interface RaftEntryCommandFieldEvent {
    field: '$.command'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RaftEntryVotersFieldEvent {
    field: '$.voters[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<RaftEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftEntry>): RaftEntry {
    return decodeMessage(buf, RaftEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftEntry>): Generator<RaftEntryIndexFieldEvent | RaftEntryTermFieldEvent | RaftEntryKindFieldEvent | RaftEntryCommandFieldEvent | RaftEntryVotersFieldEvent> {
    return streamMessage(buf, RaftEntry.codec(), opts)
  }
}

export interface RaftAppendEntries {
  term: bigint
  prevLogIndex: bigint
  prevLogTerm: bigint
  entries: RaftEntry[]
  leaderCommit: bigint
}

export namespace RaftAppendEntries {
  let _codec: Codec<RaftAppendEntries>

  export const codec = (): Codec<RaftAppendEntries> => {
    if (_codec == null) {
      _codec = message<RaftAppendEntries>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(8)
          w.uint64(obj.term)
        }

        if ((obj.prevLogIndex != null && obj.prevLogIndex !== 0n)) {
          w.uint32(16)
          w.uint64(obj.prevLogIndex)
        }

        if ((obj.prevLogTerm != null && obj.prevLogTerm !== 0n)) {
          w.uint32(24)
          w.uint64(obj.prevLogTerm)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(34)
            RaftEntry.codec().encode(value, w)
          }
        }

        if ((obj.leaderCommit != null && obj.leaderCommit !== 0n)) {
          w.uint32(40)
          w.uint64(obj.leaderCommit)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          term: 0n,
          prevLogIndex: 0n,
          prevLogTerm: 0n,
          entries: [],
          leaderCommit: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.term = reader.uint64()
              break
            }
            case 2: {
              obj.prevLogIndex = reader.uint64()
              break
            }
            case 3: {
              obj.prevLogTerm = reader.uint64()
              break
            }
            case 4: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(RaftEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 5: {
              obj.leaderCommit = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.prevLogIndex`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.prevLogTerm`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of RaftEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.leaderCommit`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftAppendEntriesTermFieldEvent {
    field: '$.term'
    value: bigint
  }

  export interface RaftAppendEntriesPrevLogIndexFieldEvent {
    field: '$.prevLogIndex'
    value: bigint
  }

  export interface RaftAppendEntriesPrevLogTermFieldEvent {
    field: '$.prevLogTerm'
    value: bigint
  }

  export interface RaftAppendEntriesEntriesIndexFieldEvent {
    field: '$.entries[].index'
    value: bigint
    index: number
  }

  export interface RaftAppendEntriesEntriesTermFieldEvent {
    field: '$.entries[].term'
    value: bigint
    index: number
  }

  export interface RaftAppendEntriesEntriesKindFieldEvent {
    field: '$.entries[].kind'
    value: number
    index: number
  }

  export interface RaftAppendEntriesEntriesCommandFieldEvent {
    field: '$.entries[].command'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RaftAppendEntriesEntriesVotersFieldEvent {
    field: '$.entries[].voters[]'
    index: number
    value: string
  }

  export interface RaftAppendEntriesLeaderCommitFieldEvent {
    field: '$.leaderCommit'
    value: bigint
  }

  export function encode (obj: Partial<RaftAppendEntries>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftAppendEntries.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftAppendEntries>): RaftAppendEntries {
    return decodeMessage(buf, RaftAppendEntries.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftAppendEntries>): Generator<RaftAppendEntriesTermFieldEvent | RaftAppendEntriesPrevLogIndexFieldEvent | RaftAppendEntriesPrevLogTermFieldEvent | RaftAppendEntriesEntriesIndexFieldEvent | RaftAppendEntriesEntriesTermFieldEvent | RaftAppendEntriesEntriesKindFieldEvent | RaftAppendEntriesEntriesCommandFieldEvent | RaftAppendEntriesEntriesVotersFieldEvent | RaftAppendEntriesLeaderCommitFieldEvent> {
    return streamMessage(buf, RaftAppendEntries.codec(), opts)
  }
}

export interface RaftAppendEntriesResponse {
  term: bigint
  success: boolean
  matchIndex: bigint
  rejectIndex: bigint
  conflictIndex: bigint
  conflictTerm: bigint
}

export namespace RaftAppendEntriesResponse {
  let _codec: Codec<RaftAppendEntriesResponse>

  export const codec = (): Codec<RaftAppendEntriesResponse> => {
    if (_codec == null) {
      _codec = message<RaftAppendEntriesResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(8)
          w.uint64(obj.term)
        }

        if ((obj.success != null && obj.success !== false)) {
          w.uint32(16)
          w.bool(obj.success)
        }

        if ((obj.matchIndex != null && obj.matchIndex !== 0n)) {
          w.uint32(24)
          w.uint64(obj.matchIndex)
        }

        if ((obj.rejectIndex != null && obj.rejectIndex !== 0n)) {
          w.uint32(32)
          w.uint64(obj.rejectIndex)
        }

        if ((obj.conflictIndex != null && obj.conflictIndex !== 0n)) {
          w.uint32(40)
          w.uint64(obj.conflictIndex)
        }

        if ((obj.conflictTerm != null && obj.conflictTerm !== 0n)) {
          w.uint32(48)
          w.uint64(obj.conflictTerm)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          term: 0n,
          success: false,
          matchIndex: 0n,
          rejectIndex: 0n,
          conflictIndex: 0n,
          conflictTerm: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.term = reader.uint64()
              break
            }
            case 2: {
              obj.success = reader.bool()
              break
            }
            case 3: {
              obj.matchIndex = reader.uint64()
              break
            }
            case 4: {
              obj.rejectIndex = reader.uint64()
              break
            }
            case 5: {
              obj.conflictIndex = reader.uint64()
              break
            }
            case 6: {
              obj.conflictTerm = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.success`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.matchIndex`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.rejectIndex`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.conflictIndex`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.conflictTerm`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftAppendEntriesResponseTermFieldEvent {
    field: '$.term'
    value: bigint
  }

  export interface RaftAppendEntriesResponseSuccessFieldEvent {
    field: '$.success'
    value: boolean
  }

  export interface RaftAppendEntriesResponseMatchIndexFieldEvent {
    field: '$.matchIndex'
    value: bigint
  }

  export interface RaftAppendEntriesResponseRejectIndexFieldEvent {
    field: '$.rejectIndex'
    value: bigint
  }

  export interface RaftAppendEntriesResponseConflictIndexFieldEvent {
    field: '$.conflictIndex'
    value: bigint
  }

  export interface RaftAppendEntriesResponseConflictTermFieldEvent {
    field: '$.conflictTerm'
    value: bigint
  }

  export function encode (obj: Partial<RaftAppendEntriesResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftAppendEntriesResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftAppendEntriesResponse>): RaftAppendEntriesResponse {
    return decodeMessage(buf, RaftAppendEntriesResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftAppendEntriesResponse>): Generator<RaftAppendEntriesResponseTermFieldEvent | RaftAppendEntriesResponseSuccessFieldEvent | RaftAppendEntriesResponseMatchIndexFieldEvent | RaftAppendEntriesResponseRejectIndexFieldEvent | RaftAppendEntriesResponseConflictIndexFieldEvent | RaftAppendEntriesResponseConflictTermFieldEvent> {
    return streamMessage(buf, RaftAppendEntriesResponse.codec(), opts)
  }
}

export interface RaftRequestVote {
  term: bigint
  lastLogIndex: bigint
  lastLogTerm: bigint
  preVote: boolean
}

export namespace RaftRequestVote {
  let _codec: Codec<RaftRequestVote>

  export const codec = (): Codec<RaftRequestVote> => {
    if (_codec == null) {
      _codec = message<RaftRequestVote>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(8)
          w.uint64(obj.term)
        }

        if ((obj.lastLogIndex != null && obj.lastLogIndex !== 0n)) {
          w.uint32(16)
          w.uint64(obj.lastLogIndex)
        }

        if ((obj.lastLogTerm != null && obj.lastLogTerm !== 0n)) {
          w.uint32(24)
          w.uint64(obj.lastLogTerm)
        }

        if ((obj.preVote != null && obj.preVote !== false)) {
          w.uint32(32)
          w.bool(obj.preVote)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          term: 0n,
          lastLogIndex: 0n,
          lastLogTerm: 0n,
          preVote: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.term = reader.uint64()
              break
            }
            case 2: {
              obj.lastLogIndex = reader.uint64()
              break
            }
            case 3: {
              obj.lastLogTerm = reader.uint64()
              break
            }
            case 4: {
              obj.preVote = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.lastLogIndex`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.lastLogTerm`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.preVote`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftRequestVoteTermFieldEvent {
    field: '$.term'
    value: bigint
  }

  export interface RaftRequestVoteLastLogIndexFieldEvent {
    field: '$.lastLogIndex'
    value: bigint
  }

  export interface RaftRequestVoteLastLogTermFieldEvent {
    field: '$.lastLogTerm'
    value: bigint
  }

  export interface RaftRequestVotePreVoteFieldEvent {
    field: '$.preVote'
    value: boolean
  }

  export function encode (obj: Partial<RaftRequestVote>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftRequestVote.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftRequestVote>): RaftRequestVote {
    return decodeMessage(buf, RaftRequestVote.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftRequestVote>): Generator<RaftRequestVoteTermFieldEvent | RaftRequestVoteLastLogIndexFieldEvent | RaftRequestVoteLastLogTermFieldEvent | RaftRequestVotePreVoteFieldEvent> {
    return streamMessage(buf, RaftRequestVote.codec(), opts)
  }
}

export interface RaftRequestVoteResponse {
  term: bigint
  granted: boolean
  preVote: boolean
}

export namespace RaftRequestVoteResponse {
  let _codec: Codec<RaftRequestVoteResponse>

  export const codec = (): Codec<RaftRequestVoteResponse> => {
    if (_codec == null) {
      _codec = message<RaftRequestVoteResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(8)
          w.uint64(obj.term)
        }

        if ((obj.granted != null && obj.granted !== false)) {
          w.uint32(16)
          w.bool(obj.granted)
        }

        if ((obj.preVote != null && obj.preVote !== false)) {
          w.uint32(24)
          w.bool(obj.preVote)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          term: 0n,
          granted: false,
          preVote: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.term = reader.uint64()
              break
            }
            case 2: {
              obj.granted = reader.bool()
              break
            }
            case 3: {
              obj.preVote = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.granted`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.preVote`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftRequestVoteResponseTermFieldEvent {
    field: '$.term'
    value: bigint
  }

  export interface RaftRequestVoteResponseGrantedFieldEvent {
    field: '$.granted'
    value: boolean
  }

  export interface RaftRequestVoteResponsePreVoteFieldEvent {
    field: '$.preVote'
    value: boolean
  }

  export function encode (obj: Partial<RaftRequestVoteResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftRequestVoteResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftRequestVoteResponse>): RaftRequestVoteResponse {
    return decodeMessage(buf, RaftRequestVoteResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftRequestVoteResponse>): Generator<RaftRequestVoteResponseTermFieldEvent | RaftRequestVoteResponseGrantedFieldEvent | RaftRequestVoteResponsePreVoteFieldEvent> {
    return streamMessage(buf, RaftRequestVoteResponse.codec(), opts)
  }
}

export interface RaftInstallSnapshot {
  term: bigint
  lastIncludedIndex: bigint
  lastIncludedTerm: bigint
  voters: string[]
  data: Uint8Array<ArrayBuffer>
}

export namespace RaftInstallSnapshot {
  let _codec: Codec<RaftInstallSnapshot>

  export const codec = (): Codec<RaftInstallSnapshot> => {
    if (_codec == null) {
      _codec = message<RaftInstallSnapshot>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(8)
          w.uint64(obj.term)
        }

        if ((obj.lastIncludedIndex != null && obj.lastIncludedIndex !== 0n)) {
          w.uint32(16)
          w.uint64(obj.lastIncludedIndex)
        }

        if ((obj.lastIncludedTerm != null && obj.lastIncludedTerm !== 0n)) {
          w.uint32(24)
          w.uint64(obj.lastIncludedTerm)
        }

        if (obj.voters != null && obj.voters.length > 0) {
          for (const value of obj.voters) {
            w.uint32(34)
            w.string(value)
          }
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          term: 0n,
          lastIncludedIndex: 0n,
          lastIncludedTerm: 0n,
          voters: [],
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.term = reader.uint64()
              break
            }
            case 2: {
              obj.lastIncludedIndex = reader.uint64()
              break
            }
            case 3: {
              obj.lastIncludedTerm = reader.uint64()
              break
            }
            case 4: {
              if (opts.limits?.voters != null && obj.voters.length === opts.limits.voters) {
                throw new MaxLengthError('Decode error - repeated field "voters" had too many elements')
              }

              obj.voters.push(reader.string())
              break
            }
            case 5: {
              obj.data = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          voters: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.lastIncludedIndex`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.lastIncludedTerm`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              if (opts.limits?.voters != null && obj.voters === opts.limits.voters) {
                throw new MaxLengthError('Streaming decode error - repeated field "voters" had too many elements')
              }

              yield {
                field: `${prefix}.voters[]`,
                index: obj.voters,
                value: reader.string()
              }

              obj.voters++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftInstallSnapshotTermFieldEvent {
    field: '$.term'
    value: bigint
  }

  export interface RaftInstallSnapshotLastIncludedIndexFieldEvent {
    field: '$.lastIncludedIndex'
    value: bigint
  }

  export interface RaftInstallSnapshotLastIncludedTermFieldEvent {
    field: '$.lastIncludedTerm'
    value: bigint
  }

  export interface RaftInstallSnapshotVotersFieldEvent {
    field: '$.voters[]'
    index: number
    value: string
  }

  export interface RaftInstallSnapshotDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<RaftInstallSnapshot>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftInstallSnapshot.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftInstallSnapshot>): RaftInstallSnapshot {
    return decodeMessage(buf, RaftInstallSnapshot.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftInstallSnapshot>): Generator<RaftInstallSnapshotTermFieldEvent | RaftInstallSnapshotLastIncludedIndexFieldEvent | RaftInstallSnapshotLastIncludedTermFieldEvent | RaftInstallSnapshotVotersFieldEvent | RaftInstallSnapshotDataFieldEvent> {
    return streamMessage(buf, RaftInstallSnapshot.codec(), opts)
  }
}

export interface RaftInstallSnapshotResponse {
  term: bigint
  matchIndex: bigint
}

export namespace RaftInstallSnapshotResponse {
  let _codec: Codec<RaftInstallSnapshotResponse>

  export const codec = (): Codec<RaftInstallSnapshotResponse> => {
    if (_codec == null) {
      _codec = message<RaftInstallSnapshotResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(8)
          w.uint64(obj.term)
        }

        if ((obj.matchIndex != null && obj.matchIndex !== 0n)) {
          w.uint32(16)
          w.uint64(obj.matchIndex)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          term: 0n,
          matchIndex: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.term = reader.uint64()
              break
            }
            case 2: {
              obj.matchIndex = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.matchIndex`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftInstallSnapshotResponseTermFieldEvent {
    field: '$.term'
    value: bigint
  }

  export interface RaftInstallSnapshotResponseMatchIndexFieldEvent {
    field: '$.matchIndex'
    value: bigint
  }

  export function encode (obj: Partial<RaftInstallSnapshotResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftInstallSnapshotResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftInstallSnapshotResponse>): RaftInstallSnapshotResponse {
    return decodeMessage(buf, RaftInstallSnapshotResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftInstallSnapshotResponse>): Generator<RaftInstallSnapshotResponseTermFieldEvent | RaftInstallSnapshotResponseMatchIndexFieldEvent> {
    return streamMessage(buf, RaftInstallSnapshotResponse.codec(), opts)
  }
}

export interface RaftMessage {
  appendEntries?: RaftAppendEntries
  appendEntriesResponse?: RaftAppendEntriesResponse
  requestVote?: RaftRequestVote
  requestVoteResponse?: RaftRequestVoteResponse
  installSnapshot?: RaftInstallSnapshot
  installSnapshotResponse?: RaftInstallSnapshotResponse
}

export namespace RaftMessage {
  let _codec: Codec<RaftMessage>

  export const codec = (): Codec<RaftMessage> => {
    if (_codec == null) {
      _codec = message<RaftMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.installSnapshotResponse != null) {
          obj.installSnapshot = undefined
          obj.requestVoteResponse = undefined
          obj.requestVote = undefined
          obj.appendEntriesResponse = undefined
          obj.appendEntries = undefined
        }

        if (obj.installSnapshot != null) {
          obj.installSnapshotResponse = undefined
          obj.requestVoteResponse = undefined
          obj.requestVote = undefined
          obj.appendEntriesResponse = undefined
          obj.appendEntries = undefined
        }

        if (obj.requestVoteResponse != null) {
          obj.installSnapshotResponse = undefined
          obj.installSnapshot = undefined
          obj.requestVote = undefined
          obj.appendEntriesResponse = undefined
          obj.appendEntries = undefined
        }

        if (obj.requestVote != null) {
          obj.installSnapshotResponse = undefined
          obj.installSnapshot = undefined
          obj.requestVoteResponse = undefined
          obj.appendEntriesResponse = undefined
          obj.appendEntries = undefined
        }

        if (obj.appendEntriesResponse != null) {
          obj.installSnapshotResponse = undefined
          obj.installSnapshot = undefined
          obj.requestVoteResponse = undefined
          obj.requestVote = undefined
          obj.appendEntries = undefined
        }

        if (obj.appendEntries != null) {
          obj.installSnapshotResponse = undefined
          obj.installSnapshot = undefined
          obj.requestVoteResponse = undefined
          obj.requestVote = undefined
          obj.appendEntriesResponse = undefined
        }

        if (obj.appendEntries != null) {
          w.uint32(10)
          RaftAppendEntries.codec().encode(obj.appendEntries, w)
        }

        if (obj.appendEntriesResponse != null) {
          w.uint32(18)
          RaftAppendEntriesResponse.codec().encode(obj.appendEntriesResponse, w)
        }

        if (obj.requestVote != null) {
          w.uint32(26)
          RaftRequestVote.codec().encode(obj.requestVote, w)
        }

        if (obj.requestVoteResponse != null) {
          w.uint32(34)
          RaftRequestVoteResponse.codec().encode(obj.requestVoteResponse, w)
        }

        if (obj.installSnapshot != null) {
          w.uint32(42)
          RaftInstallSnapshot.codec().encode(obj.installSnapshot, w)
        }

        if (obj.installSnapshotResponse != null) {
          w.uint32(50)
          RaftInstallSnapshotResponse.codec().encode(obj.installSnapshotResponse, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.appendEntries = RaftAppendEntries.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.appendEntries
              })
              break
            }
            case 2: {
              obj.appendEntriesResponse = RaftAppendEntriesResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.appendEntriesResponse
              })
              break
            }
            case 3: {
              obj.requestVote = RaftRequestVote.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.requestVote
              })
              break
            }
            case 4: {
              obj.requestVoteResponse = RaftRequestVoteResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.requestVoteResponse
              })
              break
            }
            case 5: {
              obj.installSnapshot = RaftInstallSnapshot.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.installSnapshot
              })
              break
            }
            case 6: {
              obj.installSnapshotResponse = RaftInstallSnapshotResponse.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.installSnapshotResponse
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.installSnapshotResponse != null) {
          delete obj.installSnapshot
          delete obj.requestVoteResponse
          delete obj.requestVote
          delete obj.appendEntriesResponse
          delete obj.appendEntries
        }

        if (obj.installSnapshot != null) {
          delete obj.installSnapshotResponse
          delete obj.requestVoteResponse
          delete obj.requestVote
          delete obj.appendEntriesResponse
          delete obj.appendEntries
        }

        if (obj.requestVoteResponse != null) {
          delete obj.installSnapshotResponse
          delete obj.installSnapshot
          delete obj.requestVote
          delete obj.appendEntriesResponse
          delete obj.appendEntries
        }

        if (obj.requestVote != null) {
          delete obj.installSnapshotResponse
          delete obj.installSnapshot
          delete obj.requestVoteResponse
          delete obj.appendEntriesResponse
          delete obj.appendEntries
        }

        if (obj.appendEntriesResponse != null) {
          delete obj.installSnapshotResponse
          delete obj.installSnapshot
          delete obj.requestVoteResponse
          delete obj.requestVote
          delete obj.appendEntries
        }

        if (obj.appendEntries != null) {
          delete obj.installSnapshotResponse
          delete obj.installSnapshot
          delete obj.requestVoteResponse
          delete obj.requestVote
          delete obj.appendEntriesResponse
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * RaftAppendEntries.codec().stream(reader, reader.uint32(), `${prefix}.appendEntries`, {
                limits: opts.limits?.appendEntries
              })

              break
            }
            case 2: {
              yield * RaftAppendEntriesResponse.codec().stream(reader, reader.uint32(), `${prefix}.appendEntriesResponse`, {
                limits: opts.limits?.appendEntriesResponse
              })

              break
            }
            case 3: {
              yield * RaftRequestVote.codec().stream(reader, reader.uint32(), `${prefix}.requestVote`, {
                limits: opts.limits?.requestVote
              })

              break
            }
            case 4: {
              yield * RaftRequestVoteResponse.codec().stream(reader, reader.uint32(), `${prefix}.requestVoteResponse`, {
                limits: opts.limits?.requestVoteResponse
              })

              break
            }
            case 5: {
              yield * RaftInstallSnapshot.codec().stream(reader, reader.uint32(), `${prefix}.installSnapshot`, {
                limits: opts.limits?.installSnapshot
              })

              break
            }
            case 6: {
              yield * RaftInstallSnapshotResponse.codec().stream(reader, reader.uint32(), `${prefix}.installSnapshotResponse`, {
                limits: opts.limits?.installSnapshotResponse
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RaftMessageAppendEntriesTermFieldEvent {
    field: '$.appendEntries.term'
    value: bigint
  }

  export interface RaftMessageAppendEntriesPrevLogIndexFieldEvent {
    field: '$.appendEntries.prevLogIndex'
    value: bigint
  }

  export interface RaftMessageAppendEntriesPrevLogTermFieldEvent {
    field: '$.appendEntries.prevLogTerm'
    value: bigint
  }

  export interface RaftMessageAppendEntriesEntriesIndexFieldEvent {
    field: '$.appendEntries.entries[].index'
    value: bigint
    index: number
  }

  export interface RaftMessageAppendEntriesEntriesTermFieldEvent {
    field: '$.appendEntries.entries[].term'
    value: bigint
    index: number
  }

  export interface RaftMessageAppendEntriesEntriesKindFieldEvent {
    field: '$.appendEntries.entries[].kind'
    value: number
    index: number
  }

  export interface RaftMessageAppendEntriesEntriesCommandFieldEvent {
    field: '$.appendEntries.entries[].command'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface RaftMessageAppendEntriesEntriesVotersFieldEvent {
    field: '$.appendEntries.entries[].voters[]'
    index: number
    value: string
  }

  export interface RaftMessageAppendEntriesLeaderCommitFieldEvent {
    field: '$.appendEntries.leaderCommit'
    value: bigint
  }

  export interface RaftMessageAppendEntriesResponseTermFieldEvent {
    field: '$.appendEntriesResponse.term'
    value: bigint
  }

  export interface RaftMessageAppendEntriesResponseSuccessFieldEvent {
    field: '$.appendEntriesResponse.success'
    value: boolean
  }

  export interface RaftMessageAppendEntriesResponseMatchIndexFieldEvent {
    field: '$.appendEntriesResponse.matchIndex'
    value: bigint
  }

  export interface RaftMessageAppendEntriesResponseRejectIndexFieldEvent {
    field: '$.appendEntriesResponse.rejectIndex'
    value: bigint
  }

  export interface RaftMessageAppendEntriesResponseConflictIndexFieldEvent {
    field: '$.appendEntriesResponse.conflictIndex'
    value: bigint
  }

  export interface RaftMessageAppendEntriesResponseConflictTermFieldEvent {
    field: '$.appendEntriesResponse.conflictTerm'
    value: bigint
  }

  export interface RaftMessageRequestVoteTermFieldEvent {
    field: '$.requestVote.term'
    value: bigint
  }

  export interface RaftMessageRequestVoteLastLogIndexFieldEvent {
    field: '$.requestVote.lastLogIndex'
    value: bigint
  }

  export interface RaftMessageRequestVoteLastLogTermFieldEvent {
    field: '$.requestVote.lastLogTerm'
    value: bigint
  }

  export interface RaftMessageRequestVotePreVoteFieldEvent {
    field: '$.requestVote.preVote'
    value: boolean
  }

  export interface RaftMessageRequestVoteResponseTermFieldEvent {
    field: '$.requestVoteResponse.term'
    value: bigint
  }

  export interface RaftMessageRequestVoteResponseGrantedFieldEvent {
    field: '$.requestVoteResponse.granted'
    value: boolean
  }

  export interface RaftMessageRequestVoteResponsePreVoteFieldEvent {
    field: '$.requestVoteResponse.preVote'
    value: boolean
  }

  export interface RaftMessageInstallSnapshotTermFieldEvent {
    field: '$.installSnapshot.term'
    value: bigint
  }

  export interface RaftMessageInstallSnapshotLastIncludedIndexFieldEvent {
    field: '$.installSnapshot.lastIncludedIndex'
    value: bigint
  }

  export interface RaftMessageInstallSnapshotLastIncludedTermFieldEvent {
    field: '$.installSnapshot.lastIncludedTerm'
    value: bigint
  }

  export interface RaftMessageInstallSnapshotVotersFieldEvent {
    field: '$.installSnapshot.voters[]'
    index: number
    value: string
  }

  export interface RaftMessageInstallSnapshotDataFieldEvent {
    field: '$.installSnapshot.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RaftMessageInstallSnapshotResponseTermFieldEvent {
    field: '$.installSnapshotResponse.term'
    value: bigint
  }

  export interface RaftMessageInstallSnapshotResponseMatchIndexFieldEvent {
    field: '$.installSnapshotResponse.matchIndex'
    value: bigint
  }

  export function encode (obj: Partial<RaftMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RaftMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftMessage>): RaftMessage {
    return decodeMessage(buf, RaftMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RaftMessage>): Generator<RaftMessageAppendEntriesTermFieldEvent | RaftMessageAppendEntriesPrevLogIndexFieldEvent | RaftMessageAppendEntriesPrevLogTermFieldEvent | RaftMessageAppendEntriesEntriesIndexFieldEvent | RaftMessageAppendEntriesEntriesTermFieldEvent | RaftMessageAppendEntriesEntriesKindFieldEvent | RaftMessageAppendEntriesEntriesCommandFieldEvent | RaftMessageAppendEntriesEntriesVotersFieldEvent | RaftMessageAppendEntriesLeaderCommitFieldEvent | RaftMessageAppendEntriesResponseTermFieldEvent | RaftMessageAppendEntriesResponseSuccessFieldEvent | RaftMessageAppendEntriesResponseMatchIndexFieldEvent | RaftMessageAppendEntriesResponseRejectIndexFieldEvent | RaftMessageAppendEntriesResponseConflictIndexFieldEvent | RaftMessageAppendEntriesResponseConflictTermFieldEvent | RaftMessageRequestVoteTermFieldEvent | RaftMessageRequestVoteLastLogIndexFieldEvent | RaftMessageRequestVoteLastLogTermFieldEvent | RaftMessageRequestVotePreVoteFieldEvent | RaftMessageRequestVoteResponseTermFieldEvent | RaftMessageRequestVoteResponseGrantedFieldEvent | RaftMessageRequestVoteResponsePreVoteFieldEvent | RaftMessageInstallSnapshotTermFieldEvent | RaftMessageInstallSnapshotLastIncludedIndexFieldEvent | RaftMessageInstallSnapshotLastIncludedTermFieldEvent | RaftMessageInstallSnapshotVotersFieldEvent | RaftMessageInstallSnapshotDataFieldEvent | RaftMessageInstallSnapshotResponseTermFieldEvent | RaftMessageInstallSnapshotResponseMatchIndexFieldEvent> {
    return streamMessage(buf, RaftMessage.codec(), opts)
  }
}
