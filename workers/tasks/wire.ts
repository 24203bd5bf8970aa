import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface TaskParam {
  name: string
  value: string
}

export namespace TaskParam {
  let _codec: Codec<TaskParam>

  export const codec = (): Codec<TaskParam> => {
    if (_codec == null) {
      _codec = message<TaskParam>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.value != null && obj.value !== '')) {
          w.uint32(18)
          w.string(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          value: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.value = reader.string()
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
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.value`,
                value: reader.string()
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

  export interface TaskParamNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface TaskParamValueFieldEvent {
    field: '$.value'
    value: string
  }

  export function encode (obj: Partial<TaskParam>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskParam.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskParam>): TaskParam {
    return decodeMessage(buf, TaskParam.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskParam>): Generator<TaskParamNameFieldEvent | TaskParamValueFieldEvent> {
    return streamMessage(buf, TaskParam.codec(), opts)
  }
}

export interface TaskAnnounce {
  version: number
  taskId: string
  kind: string
  params: TaskParam[]
  redundancy: number
}

export namespace TaskAnnounce {
  let _codec: Codec<TaskAnnounce>

  export const codec = (): Codec<TaskAnnounce> => {
    if (_codec == null) {
      _codec = message<TaskAnnounce>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(18)
          w.string(obj.taskId)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(26)
          w.string(obj.kind)
        }

        if (obj.params != null && obj.params.length > 0) {
          for (const value of obj.params) {
            w.uint32(34)
            TaskParam.codec().encode(value, w)
          }
        }

        if ((obj.redundancy != null && obj.redundancy !== 0)) {
          w.uint32(40)
          w.uint32(obj.redundancy)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          taskId: '',
          kind: '',
          params: [],
          redundancy: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.taskId = reader.string()
              break
            }
            case 3: {
              obj.kind = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.params != null && obj.params.length === opts.limits.params) {
                throw new MaxLengthError('Decode error - repeated field "params" had too many elements')
              }

              obj.params.push(TaskParam.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.params$
              }))
              break
            }
            case 5: {
              obj.redundancy = reader.uint32()
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
          params: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.params != null && obj.params === opts.limits.params) {
                throw new MaxLengthError('Streaming decode error - repeated field "params" had too many elements')
              }

              for (const evt of TaskParam.codec().stream(reader, reader.uint32(), `${prefix}.params[]`, {
                limits: opts.limits?.params$
              })) {
                yield {
                  ...evt,
                  index: obj.params
                }
              }

              obj.params++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.redundancy`,
                value: reader.uint32()
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

  export interface TaskAnnounceVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TaskAnnounceTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskAnnounceKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface TaskAnnounceParamsNameFieldEvent {
    field: '$.params[].name'
    value: string
    index: number
  }

  export interface TaskAnnounceParamsValueFieldEvent {
    field: '$.params[].value'
    value: string
    index: number
  }

  export interface TaskAnnounceRedundancyFieldEvent {
    field: '$.redundancy'
    value: number
  }

  export function encode (obj: Partial<TaskAnnounce>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskAnnounce.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAnnounce>): TaskAnnounce {
    return decodeMessage(buf, TaskAnnounce.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAnnounce>): Generator<TaskAnnounceVersionFieldEvent | TaskAnnounceTaskIdFieldEvent | TaskAnnounceKindFieldEvent | TaskAnnounceParamsNameFieldEvent | TaskAnnounceParamsValueFieldEvent | TaskAnnounceRedundancyFieldEvent> {
    return streamMessage(buf, TaskAnnounce.codec(), opts)
  }
}

export interface TaskPull {
  version: number
  slots: number
  backend: string
  samplesPerS: number
  cores: number
  recentUnitsPerS: number
  visible: boolean
  battery: number
  charging: boolean
  running: string[]
  unacked: string[]
}

export namespace TaskPull {
  let _codec: Codec<TaskPull>

  export const codec = (): Codec<TaskPull> => {
    if (_codec == null) {
      _codec = message<TaskPull>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.slots != null && obj.slots !== 0)) {
          w.uint32(16)
          w.uint32(obj.slots)
        }

        if ((obj.backend != null && obj.backend !== '')) {
          w.uint32(26)
          w.string(obj.backend)
        }

        if ((obj.samplesPerS != null && obj.samplesPerS !== 0)) {
          w.uint32(33)
          w.double(obj.samplesPerS)
        }

        if ((obj.cores != null && obj.cores !== 0)) {
          w.uint32(40)
          w.uint32(obj.cores)
        }

        if ((obj.recentUnitsPerS != null && obj.recentUnitsPerS !== 0)) {
          w.uint32(49)
          w.double(obj.recentUnitsPerS)
        }

        if ((obj.visible != null && obj.visible !== false)) {
          w.uint32(56)
          w.bool(obj.visible)
        }

        if ((obj.battery != null && obj.battery !== 0)) {
          w.uint32(65)
          w.double(obj.battery)
        }

        if ((obj.charging != null && obj.charging !== false)) {
          w.uint32(72)
          w.bool(obj.charging)
        }

        if (obj.running != null && obj.running.length > 0) {
          for (const value of obj.running) {
            w.uint32(82)
            w.string(value)
          }
        }

        if (obj.unacked != null && obj.unacked.length > 0) {
          for (const value of obj.unacked) {
            w.uint32(90)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          slots: 0,
          backend: '',
          samplesPerS: 0,
          cores: 0,
          recentUnitsPerS: 0,
          visible: false,
          battery: 0,
          charging: false,
          running: [],
          unacked: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.slots = reader.uint32()
              break
            }
            case 3: {
              obj.backend = reader.string()
              break
            }
            case 4: {
              obj.samplesPerS = reader.double()
              break
            }
            case 5: {
              obj.cores = reader.uint32()
              break
            }
            case 6: {
              obj.recentUnitsPerS = reader.double()
              break
            }
            case 7: {
              obj.visible = reader.bool()
              break
            }
            case 8: {
              obj.battery = reader.double()
              break
            }
            case 9: {
              obj.charging = reader.bool()
              break
            }
            case 10: {
              if (opts.limits?.running != null && obj.running.length === opts.limits.running) {
                throw new MaxLengthError('Decode error - repeated field "running" had too many elements')
              }

              obj.running.push(reader.string())
              break
            }
            case 11: {
              if (opts.limits?.unacked != null && obj.unacked.length === opts.limits.unacked) {
                throw new MaxLengthError('Decode error - repeated field "unacked" had too many elements')
              }

              obj.unacked.push(reader.string())
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
          running: 0,
          unacked: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.slots`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.backend`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.samplesPerS`,
                value: reader.double()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.cores`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.recentUnitsPerS`,
                value: reader.double()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.visible`,
                value: reader.bool()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.battery`,
                value: reader.double()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.charging`,
                value: reader.bool()
              }
              break
            }
            case 10: {
              if (opts.limits?.running != null && obj.running === opts.limits.running) {
                throw new MaxLengthError('Streaming decode error - repeated field "running" had too many elements')
              }

              yield {
                field: `${prefix}.running[]`,
                index: obj.running,
                value: reader.string()
              }

              obj.running++

              break
            }
            case 11: {
              if (opts.limits?.unacked != null && obj.unacked === opts.limits.unacked) {
                throw new MaxLengthError('Streaming decode error - repeated field "unacked" had too many elements')
              }

              yield {
                field: `${prefix}.unacked[]`,
                index: obj.unacked,
                value: reader.string()
              }

              obj.unacked++

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

  export interface TaskPullVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TaskPullSlotsFieldEvent {
    field: '$.slots'
    value: number
  }

  export interface TaskPullBackendFieldEvent {
    field: '$.backend'
    value: string
  }

  export interface TaskPullSamplesPerSFieldEvent {
    field: '$.samplesPerS'
    value: number
  }

  export interface TaskPullCoresFieldEvent {
    field: '$.cores'
    value: number
  }

  export interface TaskPullRecentUnitsPerSFieldEvent {
    field: '$.recentUnitsPerS'
    value: number
  }

  export interface TaskPullVisibleFieldEvent {
    field: '$.visible'
    value: boolean
  }

  export interface TaskPullBatteryFieldEvent {
    field: '$.battery'
    value: number
  }

  export interface TaskPullChargingFieldEvent {
    field: '$.charging'
    value: boolean
  }

  export interface TaskPullRunningFieldEvent {
    field: '$.running[]'
    index: number
    value: string
  }

  export interface TaskPullUnackedFieldEvent {
    field: '$.unacked[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<TaskPull>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskPull.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskPull>): TaskPull {
    return decodeMessage(buf, TaskPull.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskPull>): Generator<TaskPullVersionFieldEvent | TaskPullSlotsFieldEvent | TaskPullBackendFieldEvent | TaskPullSamplesPerSFieldEvent | TaskPullCoresFieldEvent | TaskPullRecentUnitsPerSFieldEvent | TaskPullVisibleFieldEvent | TaskPullBatteryFieldEvent | TaskPullChargingFieldEvent | TaskPullRunningFieldEvent | TaskPullUnackedFieldEvent> {
    return streamMessage(buf, TaskPull.codec(), opts)
  }
}

export interface TaskAssignment {
  taskId: string
  subtask: number
  kind: string
  params: TaskParam[]
  leaseUntilMs: number
  weight: number
}

export namespace TaskAssignment {
  let _codec: Codec<TaskAssignment>

  export const codec = (): Codec<TaskAssignment> => {
    if (_codec == null) {
      _codec = message<TaskAssignment>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.subtask != null && obj.subtask !== 0)) {
          w.uint32(16)
          w.uint32(obj.subtask)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(26)
          w.string(obj.kind)
        }

        if (obj.params != null && obj.params.length > 0) {
          for (const value of obj.params) {
            w.uint32(34)
            TaskParam.codec().encode(value, w)
          }
        }

        if ((obj.leaseUntilMs != null && obj.leaseUntilMs !== 0)) {
          w.uint32(41)
          w.double(obj.leaseUntilMs)
        }

        if ((obj.weight != null && obj.weight !== 0)) {
          w.uint32(49)
          w.double(obj.weight)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          subtask: 0,
          kind: '',
          params: [],
          leaseUntilMs: 0,
          weight: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.subtask = reader.uint32()
              break
            }
            case 3: {
              obj.kind = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.params != null && obj.params.length === opts.limits.params) {
                throw new MaxLengthError('Decode error - repeated field "params" had too many elements')
              }

              obj.params.push(TaskParam.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.params$
              }))
              break
            }
            case 5: {
              obj.leaseUntilMs = reader.double()
              break
            }
            case 6: {
              obj.weight = reader.double()
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
          params: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.subtask`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.params != null && obj.params === opts.limits.params) {
                throw new MaxLengthError('Streaming decode error - repeated field "params" had too many elements')
              }

              for (const evt of TaskParam.codec().stream(reader, reader.uint32(), `${prefix}.params[]`, {
                limits: opts.limits?.params$
              })) {
                yield {
                  ...evt,
                  index: obj.params
                }
              }

              obj.params++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.leaseUntilMs`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.weight`,
                value: reader.double()
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

  export interface TaskAssignmentTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskAssignmentSubtaskFieldEvent {
    field: '$.subtask'
    value: number
  }

  export interface TaskAssignmentKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface TaskAssignmentParamsNameFieldEvent {
    field: '$.params[].name'
    value: string
    index: number
  }

  export interface TaskAssignmentParamsValueFieldEvent {
    field: '$.params[].value'
    value: string
    index: number
  }

  export interface TaskAssignmentLeaseUntilMsFieldEvent {
    field: '$.leaseUntilMs'
    value: number
  }

  export interface TaskAssignmentWeightFieldEvent {
    field: '$.weight'
    value: number
  }

  export function encode (obj: Partial<TaskAssignment>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskAssignment.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAssignment>): TaskAssignment {
    return decodeMessage(buf, TaskAssignment.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAssignment>): Generator<TaskAssignmentTaskIdFieldEvent | TaskAssignmentSubtaskFieldEvent | TaskAssignmentKindFieldEvent | TaskAssignmentParamsNameFieldEvent | TaskAssignmentParamsValueFieldEvent | TaskAssignmentLeaseUntilMsFieldEvent | TaskAssignmentWeightFieldEvent> {
    return streamMessage(buf, TaskAssignment.codec(), opts)
  }
}

export interface TaskAssign {
  version: number
  worker: string
  term: bigint
  assignments: TaskAssignment[]
  acked: string[]
}

export namespace TaskAssign {
  let _codec: Codec<TaskAssign>

  export const codec = (): Codec<TaskAssign> => {
    if (_codec == null) {
      _codec = message<TaskAssign>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.worker != null && obj.worker !== '')) {
          w.uint32(18)
          w.string(obj.worker)
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(24)
          w.uint64(obj.term)
        }

        if (obj.assignments != null && obj.assignments.length > 0) {
          for (const value of obj.assignments) {
            w.uint32(34)
            TaskAssignment.codec().encode(value, w)
          }
        }

        if (obj.acked != null && obj.acked.length > 0) {
          for (const value of obj.acked) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          worker: '',
          term: 0n,
          assignments: [],
          acked: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.worker = reader.string()
              break
            }
            case 3: {
              obj.term = reader.uint64()
              break
            }
            case 4: {
              if (opts.limits?.assignments != null && obj.assignments.length === opts.limits.assignments) {
                throw new MaxLengthError('Decode error - repeated field "assignments" had too many elements')
              }

              obj.assignments.push(TaskAssignment.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.assignments$
              }))
              break
            }
            case 5: {
              if (opts.limits?.acked != null && obj.acked.length === opts.limits.acked) {
                throw new MaxLengthError('Decode error - repeated field "acked" had too many elements')
              }

              obj.acked.push(reader.string())
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
          assignments: 0,
          acked: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.worker`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              if (opts.limits?.assignments != null && obj.assignments === opts.limits.assignments) {
                throw new MaxLengthError('Streaming decode error - repeated field "assignments" had too many elements')
              }

              for (const evt of TaskAssignment.codec().stream(reader, reader.uint32(), `${prefix}.assignments[]`, {
                limits: opts.limits?.assignments$
              })) {
                yield {
                  ...evt,
                  index: obj.assignments
                }
              }

              obj.assignments++

              break
            }
            case 5: {
              if (opts.limits?.acked != null && obj.acked === opts.limits.acked) {
                throw new MaxLengthError('Streaming decode error - repeated field "acked" had too many elements')
              }

              yield {
                field: `${prefix}.acked[]`,
                index: obj.acked,
                value: reader.string()
              }

              obj.acked++

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

  export interface TaskAssignVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TaskAssignWorkerFieldEvent {
    field: '$.worker'
    value: string
  }

  export interface TaskAssignTermFieldEvent {
    field: '$.term'
    value: bigint
  }

  export interface TaskAssignAssignmentsTaskIdFieldEvent {
    field: '$.assignments[].taskId'
    value: string
    index: number
  }

  export interface TaskAssignAssignmentsSubtaskFieldEvent {
    field: '$.assignments[].subtask'
    value: number
    index: number
  }

  export interface TaskAssignAssignmentsKindFieldEvent {
    field: '$.assignments[].kind'
    value: string
    index: number
  }

  export interface TaskAssignAssignmentsParamsNameFieldEvent {
    field: '$.assignments[].params[].name'
    value: string
    index: number
  }

  export interface TaskAssignAssignmentsParamsValueFieldEvent {
    field: '$.assignments[].params[].value'
    value: string
    index: number
  }

  export interface TaskAssignAssignmentsLeaseUntilMsFieldEvent {
    field: '$.assignments[].leaseUntilMs'
    value: number
    index: number
  }

  export interface TaskAssignAssignmentsWeightFieldEvent {
    field: '$.assignments[].weight'
    value: number
    index: number
  }

  export interface TaskAssignAckedFieldEvent {
    field: '$.acked[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<TaskAssign>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskAssign.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAssign>): TaskAssign {
    return decodeMessage(buf, TaskAssign.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAssign>): Generator<TaskAssignVersionFieldEvent | TaskAssignWorkerFieldEvent | TaskAssignTermFieldEvent | TaskAssignAssignmentsTaskIdFieldEvent | TaskAssignAssignmentsSubtaskFieldEvent | TaskAssignAssignmentsKindFieldEvent | TaskAssignAssignmentsParamsNameFieldEvent | TaskAssignAssignmentsParamsValueFieldEvent | TaskAssignAssignmentsLeaseUntilMsFieldEvent | TaskAssignAssignmentsWeightFieldEvent | TaskAssignAckedFieldEvent> {
    return streamMessage(buf, TaskAssign.codec(), opts)
  }
}

export interface TaskResult {
  version: number
  taskId: string
  subtask: number
  values: number[]
  startedMs: number
  finishedMs: number
  backend: string
}

export namespace TaskResult {
  let _codec: Codec<TaskResult>

  export const codec = (): Codec<TaskResult> => {
    if (_codec == null) {
      _codec = message<TaskResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(18)
          w.string(obj.taskId)
        }

        if ((obj.subtask != null && obj.subtask !== 0)) {
          w.uint32(24)
          w.uint32(obj.subtask)
        }

        if (obj.values != null && obj.values.length > 0) {
          for (const value of obj.values) {
            w.uint32(33)
            w.double(value)
          }
        }

        if ((obj.startedMs != null && obj.startedMs !== 0)) {
          w.uint32(41)
          w.double(obj.startedMs)
        }

        if ((obj.finishedMs != null && obj.finishedMs !== 0)) {
          w.uint32(49)
          w.double(obj.finishedMs)
        }

        if ((obj.backend != null && obj.backend !== '')) {
          w.uint32(58)
          w.string(obj.backend)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          taskId: '',
          subtask: 0,
          values: [],
          startedMs: 0,
          finishedMs: 0,
          backend: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.taskId = reader.string()
              break
            }
            case 3: {
              obj.subtask = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.values != null && obj.values.length === opts.limits.values) {
                throw new MaxLengthError('Decode error - repeated field "values" had too many elements')
              }

              obj.values.push(reader.double())
              break
            }
            case 5: {
              obj.startedMs = reader.double()
              break
            }
            case 6: {
              obj.finishedMs = reader.double()
              break
            }
            case 7: {
              obj.backend = reader.string()
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
          values: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.subtask`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              if (opts.limits?.values != null && obj.values === opts.limits.values) {
                throw new MaxLengthError('Streaming decode error - repeated field "values" had too many elements')
              }

              yield {
                field: `${prefix}.values[]`,
                index: obj.values,
                value: reader.double()
              }

              obj.values++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.startedMs`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.finishedMs`,
                value: reader.double()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.backend`,
                value: reader.string()
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

  export interface TaskResultVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TaskResultTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskResultSubtaskFieldEvent {
    field: '$.subtask'
    value: number
  }

  export interface TaskResultValuesFieldEvent {
    field: '$.values[]'
    index: number
    value: number
  }

  export interface TaskResultStartedMsFieldEvent {
    field: '$.startedMs'
    value: number
  }

  export interface TaskResultFinishedMsFieldEvent {
    field: '$.finishedMs'
    value: number
  }

  export interface TaskResultBackendFieldEvent {
    field: '$.backend'
    value: string
  }

  export function encode (obj: Partial<TaskResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskResult>): TaskResult {
    return decodeMessage(buf, TaskResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskResult>): Generator<TaskResultVersionFieldEvent | TaskResultTaskIdFieldEvent | TaskResultSubtaskFieldEvent | TaskResultValuesFieldEvent | TaskResultStartedMsFieldEvent | TaskResultFinishedMsFieldEvent | TaskResultBackendFieldEvent> {
    return streamMessage(buf, TaskResult.codec(), opts)
  }
}

export interface TaskAttemptView {
  worker: string
  state: string
  assignedMs: number
  startedMs: number
  finishedMs: number
  reason: string
  values: number[]
}

export namespace TaskAttemptView {
  let _codec: Codec<TaskAttemptView>

  export const codec = (): Codec<TaskAttemptView> => {
    if (_codec == null) {
      _codec = message<TaskAttemptView>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.worker != null && obj.worker !== '')) {
          w.uint32(10)
          w.string(obj.worker)
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(18)
          w.string(obj.state)
        }

        if ((obj.assignedMs != null && obj.assignedMs !== 0)) {
          w.uint32(25)
          w.double(obj.assignedMs)
        }

        if ((obj.startedMs != null && obj.startedMs !== 0)) {
          w.uint32(33)
          w.double(obj.startedMs)
        }

        if ((obj.finishedMs != null && obj.finishedMs !== 0)) {
          w.uint32(41)
          w.double(obj.finishedMs)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(50)
          w.string(obj.reason)
        }

        if (obj.values != null && obj.values.length > 0) {
          for (const value of obj.values) {
            w.uint32(57)
            w.double(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          worker: '',
          state: '',
          assignedMs: 0,
          startedMs: 0,
          finishedMs: 0,
          reason: '',
          values: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.worker = reader.string()
              break
            }
            case 2: {
              obj.state = reader.string()
              break
            }
            case 3: {
              obj.assignedMs = reader.double()
              break
            }
            case 4: {
              obj.startedMs = reader.double()
              break
            }
            case 5: {
              obj.finishedMs = reader.double()
              break
            }
            case 6: {
              obj.reason = reader.string()
              break
            }
            case 7: {
              if (opts.limits?.values != null && obj.values.length === opts.limits.values) {
                throw new MaxLengthError('Decode error - repeated field "values" had too many elements')
              }

              obj.values.push(reader.double())
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
          values: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.worker`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.state`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.assignedMs`,
                value: reader.double()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.startedMs`,
                value: reader.double()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.finishedMs`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 7: {
              if (opts.limits?.values != null && obj.values === opts.limits.values) {
                throw new MaxLengthError('Streaming decode error - repeated field "values" had too many elements')
              }

              yield {
                field: `${prefix}.values[]`,
                index: obj.values,
                value: reader.double()
              }

              obj.values++

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

  export interface TaskAttemptViewWorkerFieldEvent {
    field: '$.worker'
    value: string
  }

  export interface TaskAttemptViewStateFieldEvent {
    field: '$.state'
    value: string
  }

  export interface TaskAttemptViewAssignedMsFieldEvent {
    field: '$.assignedMs'
    value: number
  }

  export interface TaskAttemptViewStartedMsFieldEvent {
    field: '$.startedMs'
    value: number
  }

  export interface TaskAttemptViewFinishedMsFieldEvent {
    field: '$.finishedMs'
    value: number
  }

  export interface TaskAttemptViewReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface TaskAttemptViewValuesFieldEvent {
    field: '$.values[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<TaskAttemptView>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskAttemptView.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAttemptView>): TaskAttemptView {
    return decodeMessage(buf, TaskAttemptView.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAttemptView>): Generator<TaskAttemptViewWorkerFieldEvent | TaskAttemptViewStateFieldEvent | TaskAttemptViewAssignedMsFieldEvent | TaskAttemptViewStartedMsFieldEvent | TaskAttemptViewFinishedMsFieldEvent | TaskAttemptViewReasonFieldEvent | TaskAttemptViewValuesFieldEvent> {
    return streamMessage(buf, TaskAttemptView.codec(), opts)
  }
}

export interface TaskSubtaskView {
  index: number
  params: TaskParam[]
  weight: number
  accepted: boolean
  acceptedFrom: string[]
  attempts: TaskAttemptView[]
}

export namespace TaskSubtaskView {
  let _codec: Codec<TaskSubtaskView>

  export const codec = (): Codec<TaskSubtaskView> => {
    if (_codec == null) {
      _codec = message<TaskSubtaskView>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if (obj.params != null && obj.params.length > 0) {
          for (const value of obj.params) {
            w.uint32(18)
            TaskParam.codec().encode(value, w)
          }
        }

        if ((obj.weight != null && obj.weight !== 0)) {
          w.uint32(25)
          w.double(obj.weight)
        }

        if ((obj.accepted != null && obj.accepted !== false)) {
          w.uint32(32)
          w.bool(obj.accepted)
        }

        if (obj.acceptedFrom != null && obj.acceptedFrom.length > 0) {
          for (const value of obj.acceptedFrom) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (obj.attempts != null && obj.attempts.length > 0) {
          for (const value of obj.attempts) {
            w.uint32(50)
            TaskAttemptView.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          params: [],
          weight: 0,
          accepted: false,
          acceptedFrom: [],
          attempts: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.params != null && obj.params.length === opts.limits.params) {
                throw new MaxLengthError('Decode error - repeated field "params" had too many elements')
              }

              obj.params.push(TaskParam.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.params$
              }))
              break
            }
            case 3: {
              obj.weight = reader.double()
              break
            }
            case 4: {
              obj.accepted = reader.bool()
              break
            }
            case 5: {
              if (opts.limits?.acceptedFrom != null && obj.acceptedFrom.length === opts.limits.acceptedFrom) {
                throw new MaxLengthError('Decode error - repeated field "acceptedFrom" had too many elements')
              }

              obj.acceptedFrom.push(reader.string())
              break
            }
            case 6: {
              if (opts.limits?.attempts != null && obj.attempts.length === opts.limits.attempts) {
                throw new MaxLengthError('Decode error - repeated field "attempts" had too many elements')
              }

              obj.attempts.push(TaskAttemptView.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.attempts$
              }))
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
          params: 0,
          acceptedFrom: 0,
          attempts: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.params != null && obj.params === opts.limits.params) {
                throw new MaxLengthError('Streaming decode error - repeated field "params" had too many elements')
              }

              for (const evt of TaskParam.codec().stream(reader, reader.uint32(), `${prefix}.params[]`, {
                limits: opts.limits?.params$
              })) {
                yield {
                  ...evt,
                  index: obj.params
                }
              }

              obj.params++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.weight`,
                value: reader.double()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.accepted`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              if (opts.limits?.acceptedFrom != null && obj.acceptedFrom === opts.limits.acceptedFrom) {
                throw new MaxLengthError('Streaming decode error - repeated field "acceptedFrom" had too many elements')
              }

              yield {
                field: `${prefix}.acceptedFrom[]`,
                index: obj.acceptedFrom,
                value: reader.string()
              }

              obj.acceptedFrom++

              break
            }
            case 6: {
              if (opts.limits?.attempts != null && obj.attempts === opts.limits.attempts) {
                throw new MaxLengthError('Streaming decode error - repeated field "attempts" had too many elements')
              }

              for (const evt of TaskAttemptView.codec().stream(reader, reader.uint32(), `${prefix}.attempts[]`, {
                limits: opts.limits?.attempts$
              })) {
                yield {
                  ...evt,
                  index: obj.attempts
                }
              }

              obj.attempts++

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

  export interface TaskSubtaskViewIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface TaskSubtaskViewParamsNameFieldEvent {
    field: '$.params[].name'
    value: string
    index: number
  }

  export interface TaskSubtaskViewParamsValueFieldEvent {
    field: '$.params[].value'
    value: string
    index: number
  }

  export interface TaskSubtaskViewWeightFieldEvent {
    field: '$.weight'
    value: number
  }

  export interface TaskSubtaskViewAcceptedFieldEvent {
    field: '$.accepted'
    value: boolean
  }

  export interface TaskSubtaskViewAcceptedFromFieldEvent {
    field: '$.acceptedFrom[]'
    index: number
    value: string
  }

  export interface TaskSubtaskViewAttemptsWorkerFieldEvent {
    field: '$.attempts[].worker'
    value: string
    index: number
  }

  export interface TaskSubtaskViewAttemptsStateFieldEvent {
    field: '$.attempts[].state'
    value: string
    index: number
  }

  export interface TaskSubtaskViewAttemptsAssignedMsFieldEvent {
    field: '$.attempts[].assignedMs'
    value: number
    index: number
  }

  export interface TaskSubtaskViewAttemptsStartedMsFieldEvent {
    field: '$.attempts[].startedMs'
    value: number
    index: number
  }

  export interface TaskSubtaskViewAttemptsFinishedMsFieldEvent {
    field: '$.attempts[].finishedMs'
    value: number
    index: number
  }

  export interface TaskSubtaskViewAttemptsReasonFieldEvent {
    field: '$.attempts[].reason'
    value: string
    index: number
  }

  export interface TaskSubtaskViewAttemptsValuesFieldEvent {
    field: '$.attempts[].values[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<TaskSubtaskView>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskSubtaskView.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskSubtaskView>): TaskSubtaskView {
    return decodeMessage(buf, TaskSubtaskView.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskSubtaskView>): Generator<TaskSubtaskViewIndexFieldEvent | TaskSubtaskViewParamsNameFieldEvent | TaskSubtaskViewParamsValueFieldEvent | TaskSubtaskViewWeightFieldEvent | TaskSubtaskViewAcceptedFieldEvent | TaskSubtaskViewAcceptedFromFieldEvent | TaskSubtaskViewAttemptsWorkerFieldEvent | TaskSubtaskViewAttemptsStateFieldEvent | TaskSubtaskViewAttemptsAssignedMsFieldEvent | TaskSubtaskViewAttemptsStartedMsFieldEvent | TaskSubtaskViewAttemptsFinishedMsFieldEvent | TaskSubtaskViewAttemptsReasonFieldEvent | TaskSubtaskViewAttemptsValuesFieldEvent> {
    return streamMessage(buf, TaskSubtaskView.codec(), opts)
  }
}

export interface TaskStatus {
  version: number
  taskId: string
  kind: string
  params: TaskParam[]
  redundancy: number
  initiator: string
  state: string
  reason: string
  coordinator: string
  term: bigint
  announcedMs: number
  finishedMs: number
  result: number[]
  summary: string
  subtasks: TaskSubtaskView[]
}

export namespace TaskStatus {
  let _codec: Codec<TaskStatus>

  export const codec = (): Codec<TaskStatus> => {
    if (_codec == null) {
      _codec = message<TaskStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(18)
          w.string(obj.taskId)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(26)
          w.string(obj.kind)
        }

        if (obj.params != null && obj.params.length > 0) {
          for (const value of obj.params) {
            w.uint32(34)
            TaskParam.codec().encode(value, w)
          }
        }

        if ((obj.redundancy != null && obj.redundancy !== 0)) {
          w.uint32(40)
          w.uint32(obj.redundancy)
        }

        if ((obj.initiator != null && obj.initiator !== '')) {
          w.uint32(50)
          w.string(obj.initiator)
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(58)
          w.string(obj.state)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(66)
          w.string(obj.reason)
        }

        if ((obj.coordinator != null && obj.coordinator !== '')) {
          w.uint32(74)
          w.string(obj.coordinator)
        }

        if ((obj.term != null && obj.term !== 0n)) {
          w.uint32(80)
          w.uint64(obj.term)
        }

        if ((obj.announcedMs != null && obj.announcedMs !== 0)) {
          w.uint32(89)
          w.double(obj.announcedMs)
        }

        if ((obj.finishedMs != null && obj.finishedMs !== 0)) {
          w.uint32(97)
          w.double(obj.finishedMs)
        }

        if (obj.result != null && obj.result.length > 0) {
          for (const value of obj.result) {
            w.uint32(105)
            w.double(value)
          }
        }

        if ((obj.summary != null && obj.summary !== '')) {
          w.uint32(114)
          w.string(obj.summary)
        }

        if (obj.subtasks != null && obj.subtasks.length > 0) {
          for (const value of obj.subtasks) {
            w.uint32(122)
            TaskSubtaskView.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          taskId: '',
          kind: '',
          params: [],
          redundancy: 0,
          initiator: '',
          state: '',
          reason: '',
          coordinator: '',
          term: 0n,
          announcedMs: 0,
          finishedMs: 0,
          result: [],
          summary: '',
          subtasks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.taskId = reader.string()
              break
            }
            case 3: {
              obj.kind = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.params != null && obj.params.length === opts.limits.params) {
                throw new MaxLengthError('Decode error - repeated field "params" had too many elements')
              }

              obj.params.push(TaskParam.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.params$
              }))
              break
            }
            case 5: {
              obj.redundancy = reader.uint32()
              break
            }
            case 6: {
              obj.initiator = reader.string()
              break
            }
            case 7: {
              obj.state = reader.string()
              break
            }
            case 8: {
              obj.reason = reader.string()
              break
            }
            case 9: {
              obj.coordinator = reader.string()
              break
            }
            case 10: {
              obj.term = reader.uint64()
              break
            }
            case 11: {
              obj.announcedMs = reader.double()
              break
            }
            case 12: {
              obj.finishedMs = reader.double()
              break
            }
            case 13: {
              if (opts.limits?.result != null && obj.result.length === opts.limits.result) {
                throw new MaxLengthError('Decode error - repeated field "result" had too many elements')
              }

              obj.result.push(reader.double())
              break
            }
            case 14: {
              obj.summary = reader.string()
              break
            }
            case 15: {
              if (opts.limits?.subtasks != null && obj.subtasks.length === opts.limits.subtasks) {
                throw new MaxLengthError('Decode error - repeated field "subtasks" had too many elements')
              }

              obj.subtasks.push(TaskSubtaskView.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.subtasks$
              }))
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
          params: 0,
          result: 0,
          subtasks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.params != null && obj.params === opts.limits.params) {
                throw new MaxLengthError('Streaming decode error - repeated field "params" had too many elements')
              }

              for (const evt of TaskParam.codec().stream(reader, reader.uint32(), `${prefix}.params[]`, {
                limits: opts.limits?.params$
              })) {
                yield {
                  ...evt,
                  index: obj.params
                }
              }

              obj.params++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.redundancy`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.initiator`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.state`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.coordinator`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.term`,
                value: reader.uint64()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.announcedMs`,
                value: reader.double()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.finishedMs`,
                value: reader.double()
              }
              break
            }
            case 13: {
              if (opts.limits?.result != null && obj.result === opts.limits.result) {
                throw new MaxLengthError('Streaming decode error - repeated field "result" had too many elements')
              }

              yield {
                field: `${prefix}.result[]`,
                index: obj.result,
                value: reader.double()
              }

              obj.result++

              break
            }
            case 14: {
              yield {
                field: `${prefix}.summary`,
                value: reader.string()
              }
              break
            }
            case 15: {
              if (opts.limits?.subtasks != null && obj.subtasks === opts.limits.subtasks) {
                throw new MaxLengthError('Streaming decode error - repeated field "subtasks" had too many elements')
              }

              for (const evt of TaskSubtaskView.codec().stream(reader, reader.uint32(), `${prefix}.subtasks[]`, {
                limits: opts.limits?.subtasks$
              })) {
                yield {
                  ...evt,
                  index: obj.subtasks
                }
              }

              obj.subtasks++

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

  export interface TaskStatusVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TaskStatusTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskStatusKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface TaskStatusParamsNameFieldEvent {
    field: '$.params[].name'
    value: string
    index: number
  }

  export interface TaskStatusParamsValueFieldEvent {
    field: '$.params[].value'
    value: string
    index: number
  }

  export interface TaskStatusRedundancyFieldEvent {
    field: '$.redundancy'
    value: number
  }

  export interface TaskStatusInitiatorFieldEvent {
    field: '$.initiator'
    value: string
  }

  export interface TaskStatusStateFieldEvent {
    field: '$.state'
    value: string
  }

  export interface TaskStatusReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export interface TaskStatusCoordinatorFieldEvent {
    field: '$.coordinator'
    value: string
  }

  export interface TaskStatusTermFieldEvent {
    field: '$.term'
    value: bigint
  }

  export interface TaskStatusAnnouncedMsFieldEvent {
    field: '$.announcedMs'
    value: number
  }

  export interface TaskStatusFinishedMsFieldEvent {
    field: '$.finishedMs'
    value: number
  }

  export interface TaskStatusResultFieldEvent {
    field: '$.result[]'
    index: number
    value: number
  }

  export interface TaskStatusSummaryFieldEvent {
    field: '$.summary'
    value: string
  }

  export interface TaskStatusSubtasksIndexFieldEvent {
    field: '$.subtasks[].index'
    value: number
    index: number
  }

  export interface TaskStatusSubtasksParamsNameFieldEvent {
    field: '$.subtasks[].params[].name'
    value: string
    index: number
  }

  export interface TaskStatusSubtasksParamsValueFieldEvent {
    field: '$.subtasks[].params[].value'
    value: string
    index: number
  }

  export interface TaskStatusSubtasksWeightFieldEvent {
    field: '$.subtasks[].weight'
    value: number
    index: number
  }

  export interface TaskStatusSubtasksAcceptedFieldEvent {
    field: '$.subtasks[].accepted'
    value: boolean
    index: number
  }

  export interface TaskStatusSubtasksAcceptedFromFieldEvent {
    field: '$.subtasks[].acceptedFrom[]'
    index: number
    value: string
  }

  export interface TaskStatusSubtasksAttemptsWorkerFieldEvent {
    field: '$.subtasks[].attempts[].worker'
    value: string
    index: number
  }

  export interface TaskStatusSubtasksAttemptsStateFieldEvent {
    field: '$.subtasks[].attempts[].state'
    value: string
    index: number
  }

  export interface TaskStatusSubtasksAttemptsAssignedMsFieldEvent {
    field: '$.subtasks[].attempts[].assignedMs'
    value: number
    index: number
  }

  export interface TaskStatusSubtasksAttemptsStartedMsFieldEvent {
    field: '$.subtasks[].attempts[].startedMs'
    value: number
    index: number
  }

  export interface TaskStatusSubtasksAttemptsFinishedMsFieldEvent {
    field: '$.subtasks[].attempts[].finishedMs'
    value: number
    index: number
  }

  export interface TaskStatusSubtasksAttemptsReasonFieldEvent {
    field: '$.subtasks[].attempts[].reason'
    value: string
    index: number
  }

  export interface TaskStatusSubtasksAttemptsValuesFieldEvent {
    field: '$.subtasks[].attempts[].values[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<TaskStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskStatus>): TaskStatus {
    return decodeMessage(buf, TaskStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskStatus>): Generator<TaskStatusVersionFieldEvent | TaskStatusTaskIdFieldEvent | TaskStatusKindFieldEvent | TaskStatusParamsNameFieldEvent | TaskStatusParamsValueFieldEvent | TaskStatusRedundancyFieldEvent | TaskStatusInitiatorFieldEvent | TaskStatusStateFieldEvent | TaskStatusReasonFieldEvent | TaskStatusCoordinatorFieldEvent | TaskStatusTermFieldEvent | TaskStatusAnnouncedMsFieldEvent | TaskStatusFinishedMsFieldEvent | TaskStatusResultFieldEvent | TaskStatusSummaryFieldEvent | TaskStatusSubtasksIndexFieldEvent | TaskStatusSubtasksParamsNameFieldEvent | TaskStatusSubtasksParamsValueFieldEvent | TaskStatusSubtasksWeightFieldEvent | TaskStatusSubtasksAcceptedFieldEvent | TaskStatusSubtasksAcceptedFromFieldEvent | TaskStatusSubtasksAttemptsWorkerFieldEvent | TaskStatusSubtasksAttemptsStateFieldEvent | TaskStatusSubtasksAttemptsAssignedMsFieldEvent | TaskStatusSubtasksAttemptsStartedMsFieldEvent | TaskStatusSubtasksAttemptsFinishedMsFieldEvent | TaskStatusSubtasksAttemptsReasonFieldEvent | TaskStatusSubtasksAttemptsValuesFieldEvent> {
    return streamMessage(buf, TaskStatus.codec(), opts)
  }
}

export interface TaskAnnounced {
  taskId: string
  kind: string
  params: TaskParam[]
  redundancy: number
  initiator: string
}

export namespace TaskAnnounced {
  let _codec: Codec<TaskAnnounced>

  export const codec = (): Codec<TaskAnnounced> => {
    if (_codec == null) {
      _codec = message<TaskAnnounced>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.kind != null && obj.kind !== '')) {
          w.uint32(18)
          w.string(obj.kind)
        }

        if (obj.params != null && obj.params.length > 0) {
          for (const value of obj.params) {
            w.uint32(26)
            TaskParam.codec().encode(value, w)
          }
        }

        if ((obj.redundancy != null && obj.redundancy !== 0)) {
          w.uint32(32)
          w.uint32(obj.redundancy)
        }

        if ((obj.initiator != null && obj.initiator !== '')) {
          w.uint32(42)
          w.string(obj.initiator)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          kind: '',
          params: [],
          redundancy: 0,
          initiator: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.kind = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.params != null && obj.params.length === opts.limits.params) {
                throw new MaxLengthError('Decode error - repeated field "params" had too many elements')
              }

              obj.params.push(TaskParam.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.params$
              }))
              break
            }
            case 4: {
              obj.redundancy = reader.uint32()
              break
            }
            case 5: {
              obj.initiator = reader.string()
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
          params: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.kind`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.params != null && obj.params === opts.limits.params) {
                throw new MaxLengthError('Streaming decode error - repeated field "params" had too many elements')
              }

              for (const evt of TaskParam.codec().stream(reader, reader.uint32(), `${prefix}.params[]`, {
                limits: opts.limits?.params$
              })) {
                yield {
                  ...evt,
                  index: obj.params
                }
              }

              obj.params++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.redundancy`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.initiator`,
                value: reader.string()
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

  export interface TaskAnnouncedTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskAnnouncedKindFieldEvent {
    field: '$.kind'
    value: string
  }

  export interface TaskAnnouncedParamsNameFieldEvent {
    field: '$.params[].name'
    value: string
    index: number
  }

  export interface TaskAnnouncedParamsValueFieldEvent {
    field: '$.params[].value'
    value: string
    index: number
  }

  export interface TaskAnnouncedRedundancyFieldEvent {
    field: '$.redundancy'
    value: number
  }

  export interface TaskAnnouncedInitiatorFieldEvent {
    field: '$.initiator'
    value: string
  }

  export function encode (obj: Partial<TaskAnnounced>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskAnnounced.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAnnounced>): TaskAnnounced {
    return decodeMessage(buf, TaskAnnounced.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAnnounced>): Generator<TaskAnnouncedTaskIdFieldEvent | TaskAnnouncedKindFieldEvent | TaskAnnouncedParamsNameFieldEvent | TaskAnnouncedParamsValueFieldEvent | TaskAnnouncedRedundancyFieldEvent | TaskAnnouncedInitiatorFieldEvent> {
    return streamMessage(buf, TaskAnnounced.codec(), opts)
  }
}

export interface TaskAssigned {
  taskId: string
  subtask: number
  worker: string
  leaseUntilMs: number
}

export namespace TaskAssigned {
  let _codec: Codec<TaskAssigned>

  export const codec = (): Codec<TaskAssigned> => {
    if (_codec == null) {
      _codec = message<TaskAssigned>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.subtask != null && obj.subtask !== 0)) {
          w.uint32(16)
          w.uint32(obj.subtask)
        }

        if ((obj.worker != null && obj.worker !== '')) {
          w.uint32(26)
          w.string(obj.worker)
        }

        if ((obj.leaseUntilMs != null && obj.leaseUntilMs !== 0)) {
          w.uint32(33)
          w.double(obj.leaseUntilMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          subtask: 0,
          worker: '',
          leaseUntilMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.subtask = reader.uint32()
              break
            }
            case 3: {
              obj.worker = reader.string()
              break
            }
            case 4: {
              obj.leaseUntilMs = reader.double()
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
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.subtask`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.worker`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.leaseUntilMs`,
                value: reader.double()
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

  export interface TaskAssignedTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskAssignedSubtaskFieldEvent {
    field: '$.subtask'
    value: number
  }

  export interface TaskAssignedWorkerFieldEvent {
    field: '$.worker'
    value: string
  }

  export interface TaskAssignedLeaseUntilMsFieldEvent {
    field: '$.leaseUntilMs'
    value: number
  }

  export function encode (obj: Partial<TaskAssigned>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskAssigned.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAssigned>): TaskAssigned {
    return decodeMessage(buf, TaskAssigned.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAssigned>): Generator<TaskAssignedTaskIdFieldEvent | TaskAssignedSubtaskFieldEvent | TaskAssignedWorkerFieldEvent | TaskAssignedLeaseUntilMsFieldEvent> {
    return streamMessage(buf, TaskAssigned.codec(), opts)
  }
}

export interface TaskCompleted {
  taskId: string
  subtask: number
  worker: string
  values: number[]
  startedMs: number
  finishedMs: number
  backend: string
}

export namespace TaskCompleted {
  let _codec: Codec<TaskCompleted>

  export const codec = (): Codec<TaskCompleted> => {
    if (_codec == null) {
      _codec = message<TaskCompleted>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.subtask != null && obj.subtask !== 0)) {
          w.uint32(16)
          w.uint32(obj.subtask)
        }

        if ((obj.worker != null && obj.worker !== '')) {
          w.uint32(26)
          w.string(obj.worker)
        }

        if (obj.values != null && obj.values.length > 0) {
          for (const value of obj.values) {
            w.uint32(33)
            w.double(value)
          }
        }

        if ((obj.startedMs != null && obj.startedMs !== 0)) {
          w.uint32(41)
          w.double(obj.startedMs)
        }

        if ((obj.finishedMs != null && obj.finishedMs !== 0)) {
          w.uint32(49)
          w.double(obj.finishedMs)
        }

        if ((obj.backend != null && obj.backend !== '')) {
          w.uint32(58)
          w.string(obj.backend)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          subtask: 0,
          worker: '',
          values: [],
          startedMs: 0,
          finishedMs: 0,
          backend: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.subtask = reader.uint32()
              break
            }
            case 3: {
              obj.worker = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.values != null && obj.values.length === opts.limits.values) {
                throw new MaxLengthError('Decode error - repeated field "values" had too many elements')
              }

              obj.values.push(reader.double())
              break
            }
            case 5: {
              obj.startedMs = reader.double()
              break
            }
            case 6: {
              obj.finishedMs = reader.double()
              break
            }
            case 7: {
              obj.backend = reader.string()
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
          values: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.subtask`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.worker`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.values != null && obj.values === opts.limits.values) {
                throw new MaxLengthError('Streaming decode error - repeated field "values" had too many elements')
              }

              yield {
                field: `${prefix}.values[]`,
                index: obj.values,
                value: reader.double()
              }

              obj.values++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.startedMs`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.finishedMs`,
                value: reader.double()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.backend`,
                value: reader.string()
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

  export interface TaskCompletedTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskCompletedSubtaskFieldEvent {
    field: '$.subtask'
    value: number
  }

  export interface TaskCompletedWorkerFieldEvent {
    field: '$.worker'
    value: string
  }

  export interface TaskCompletedValuesFieldEvent {
    field: '$.values[]'
    index: number
    value: number
  }

  export interface TaskCompletedStartedMsFieldEvent {
    field: '$.startedMs'
    value: number
  }

  export interface TaskCompletedFinishedMsFieldEvent {
    field: '$.finishedMs'
    value: number
  }

  export interface TaskCompletedBackendFieldEvent {
    field: '$.backend'
    value: string
  }

  export function encode (obj: Partial<TaskCompleted>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskCompleted.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskCompleted>): TaskCompleted {
    return decodeMessage(buf, TaskCompleted.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskCompleted>): Generator<TaskCompletedTaskIdFieldEvent | TaskCompletedSubtaskFieldEvent | TaskCompletedWorkerFieldEvent | TaskCompletedValuesFieldEvent | TaskCompletedStartedMsFieldEvent | TaskCompletedFinishedMsFieldEvent | TaskCompletedBackendFieldEvent> {
    return streamMessage(buf, TaskCompleted.codec(), opts)
  }
}

export interface TaskRefused {
  taskId: string
  subtask: number
  worker: string
  reason: string
}

export namespace TaskRefused {
  let _codec: Codec<TaskRefused>

  export const codec = (): Codec<TaskRefused> => {
    if (_codec == null) {
      _codec = message<TaskRefused>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.subtask != null && obj.subtask !== 0)) {
          w.uint32(16)
          w.uint32(obj.subtask)
        }

        if ((obj.worker != null && obj.worker !== '')) {
          w.uint32(26)
          w.string(obj.worker)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(34)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          subtask: 0,
          worker: '',
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.subtask = reader.uint32()
              break
            }
            case 3: {
              obj.worker = reader.string()
              break
            }
            case 4: {
              obj.reason = reader.string()
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
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.subtask`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.worker`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
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

  export interface TaskRefusedTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskRefusedSubtaskFieldEvent {
    field: '$.subtask'
    value: number
  }

  export interface TaskRefusedWorkerFieldEvent {
    field: '$.worker'
    value: string
  }

  export interface TaskRefusedReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<TaskRefused>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskRefused.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskRefused>): TaskRefused {
    return decodeMessage(buf, TaskRefused.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskRefused>): Generator<TaskRefusedTaskIdFieldEvent | TaskRefusedSubtaskFieldEvent | TaskRefusedWorkerFieldEvent | TaskRefusedReasonFieldEvent> {
    return streamMessage(buf, TaskRefused.codec(), opts)
  }
}

export interface TaskExpired {
  taskId: string
  subtask: number
  worker: string
}

export namespace TaskExpired {
  let _codec: Codec<TaskExpired>

  export const codec = (): Codec<TaskExpired> => {
    if (_codec == null) {
      _codec = message<TaskExpired>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.subtask != null && obj.subtask !== 0)) {
          w.uint32(16)
          w.uint32(obj.subtask)
        }

        if ((obj.worker != null && obj.worker !== '')) {
          w.uint32(26)
          w.string(obj.worker)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          subtask: 0,
          worker: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.subtask = reader.uint32()
              break
            }
            case 3: {
              obj.worker = reader.string()
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
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.subtask`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.worker`,
                value: reader.string()
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

  export interface TaskExpiredTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskExpiredSubtaskFieldEvent {
    field: '$.subtask'
    value: number
  }

  export interface TaskExpiredWorkerFieldEvent {
    field: '$.worker'
    value: string
  }

  export function encode (obj: Partial<TaskExpired>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskExpired.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskExpired>): TaskExpired {
    return decodeMessage(buf, TaskExpired.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskExpired>): Generator<TaskExpiredTaskIdFieldEvent | TaskExpiredSubtaskFieldEvent | TaskExpiredWorkerFieldEvent> {
    return streamMessage(buf, TaskExpired.codec(), opts)
  }
}

export interface TaskCommand {
  version: number
  atMs: number
  announces: TaskAnnounced[]
  completes: TaskCompleted[]
  refuses: TaskRefused[]
  expires: TaskExpired[]
  assigns: TaskAssigned[]
}

export namespace TaskCommand {
  let _codec: Codec<TaskCommand>

  export const codec = (): Codec<TaskCommand> => {
    if (_codec == null) {
      _codec = message<TaskCommand>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.atMs != null && obj.atMs !== 0)) {
          w.uint32(17)
          w.double(obj.atMs)
        }

        if (obj.announces != null && obj.announces.length > 0) {
          for (const value of obj.announces) {
            w.uint32(26)
            TaskAnnounced.codec().encode(value, w)
          }
        }

        if (obj.completes != null && obj.completes.length > 0) {
          for (const value of obj.completes) {
            w.uint32(34)
            TaskCompleted.codec().encode(value, w)
          }
        }

        if (obj.refuses != null && obj.refuses.length > 0) {
          for (const value of obj.refuses) {
            w.uint32(42)
            TaskRefused.codec().encode(value, w)
          }
        }

        if (obj.expires != null && obj.expires.length > 0) {
          for (const value of obj.expires) {
            w.uint32(50)
            TaskExpired.codec().encode(value, w)
          }
        }

        if (obj.assigns != null && obj.assigns.length > 0) {
          for (const value of obj.assigns) {
            w.uint32(58)
            TaskAssigned.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          atMs: 0,
          announces: [],
          completes: [],
          refuses: [],
          expires: [],
          assigns: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.atMs = reader.double()
              break
            }
            case 3: {
              if (opts.limits?.announces != null && obj.announces.length === opts.limits.announces) {
                throw new MaxLengthError('Decode error - repeated field "announces" had too many elements')
              }

              obj.announces.push(TaskAnnounced.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.announces$
              }))
              break
            }
            case 4: {
              if (opts.limits?.completes != null && obj.completes.length === opts.limits.completes) {
                throw new MaxLengthError('Decode error - repeated field "completes" had too many elements')
              }

              obj.completes.push(TaskCompleted.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.completes$
              }))
              break
            }
            case 5: {
              if (opts.limits?.refuses != null && obj.refuses.length === opts.limits.refuses) {
                throw new MaxLengthError('Decode error - repeated field "refuses" had too many elements')
              }

              obj.refuses.push(TaskRefused.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.refuses$
              }))
              break
            }
            case 6: {
              if (opts.limits?.expires != null && obj.expires.length === opts.limits.expires) {
                throw new MaxLengthError('Decode error - repeated field "expires" had too many elements')
              }

              obj.expires.push(TaskExpired.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.expires$
              }))
              break
            }
            case 7: {
              if (opts.limits?.assigns != null && obj.assigns.length === opts.limits.assigns) {
                throw new MaxLengthError('Decode error - repeated field "assigns" had too many elements')
              }

              obj.assigns.push(TaskAssigned.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.assigns$
              }))
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
          announces: 0,
          completes: 0,
          refuses: 0,
          expires: 0,
          assigns: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.atMs`,
                value: reader.double()
              }
              break
            }
            case 3: {
              if (opts.limits?.announces != null && obj.announces === opts.limits.announces) {
                throw new MaxLengthError('Streaming decode error - repeated field "announces" had too many elements')
              }

              for (const evt of TaskAnnounced.codec().stream(reader, reader.uint32(), `${prefix}.announces[]`, {
                limits: opts.limits?.announces$
              })) {
                yield {
                  ...evt,
                  index: obj.announces
                }
              }

              obj.announces++

              break
            }
            case 4: {
              if (opts.limits?.completes != null && obj.completes === opts.limits.completes) {
                throw new MaxLengthError('Streaming decode error - repeated field "completes" had too many elements')
              }

              for (const evt of TaskCompleted.codec().stream(reader, reader.uint32(), `${prefix}.completes[]`, {
                limits: opts.limits?.completes$
              })) {
                yield {
                  ...evt,
                  index: obj.completes
                }
              }

              obj.completes++

              break
            }
            case 5: {
              if (opts.limits?.refuses != null && obj.refuses === opts.limits.refuses) {
                throw new MaxLengthError('Streaming decode error - repeated field "refuses" had too many elements')
              }

              for (const evt of TaskRefused.codec().stream(reader, reader.uint32(), `${prefix}.refuses[]`, {
                limits: opts.limits?.refuses$
              })) {
                yield {
                  ...evt,
                  index: obj.refuses
                }
              }

              obj.refuses++

              break
            }
            case 6: {
              if (opts.limits?.expires != null && obj.expires === opts.limits.expires) {
                throw new MaxLengthError('Streaming decode error - repeated field "expires" had too many elements')
              }

              for (const evt of TaskExpired.codec().stream(reader, reader.uint32(), `${prefix}.expires[]`, {
                limits: opts.limits?.expires$
              })) {
                yield {
                  ...evt,
                  index: obj.expires
                }
              }

              obj.expires++

              break
            }
            case 7: {
              if (opts.limits?.assigns != null && obj.assigns === opts.limits.assigns) {
                throw new MaxLengthError('Streaming decode error - repeated field "assigns" had too many elements')
              }

              for (const evt of TaskAssigned.codec().stream(reader, reader.uint32(), `${prefix}.assigns[]`, {
                limits: opts.limits?.assigns$
              })) {
                yield {
                  ...evt,
                  index: obj.assigns
                }
              }

              obj.assigns++

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

  export interface TaskCommandVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TaskCommandAtMsFieldEvent {
    field: '$.atMs'
    value: number
  }

  export interface TaskCommandAnnouncesTaskIdFieldEvent {
    field: '$.announces[].taskId'
    value: string
    index: number
  }

  export interface TaskCommandAnnouncesKindFieldEvent {
    field: '$.announces[].kind'
    value: string
    index: number
  }

  export interface TaskCommandAnnouncesParamsNameFieldEvent {
    field: '$.announces[].params[].name'
    value: string
    index: number
  }

  export interface TaskCommandAnnouncesParamsValueFieldEvent {
    field: '$.announces[].params[].value'
    value: string
    index: number
  }

  export interface TaskCommandAnnouncesRedundancyFieldEvent {
    field: '$.announces[].redundancy'
    value: number
    index: number
  }

  export interface TaskCommandAnnouncesInitiatorFieldEvent {
    field: '$.announces[].initiator'
    value: string
    index: number
  }

  export interface TaskCommandCompletesTaskIdFieldEvent {
    field: '$.completes[].taskId'
    value: string
    index: number
  }

  export interface TaskCommandCompletesSubtaskFieldEvent {
    field: '$.completes[].subtask'
    value: number
    index: number
  }

  export interface TaskCommandCompletesWorkerFieldEvent {
    field: '$.completes[].worker'
    value: string
    index: number
  }

  export interface TaskCommandCompletesValuesFieldEvent {
    field: '$.completes[].values[]'
    index: number
    value: number
  }

  export interface TaskCommandCompletesStartedMsFieldEvent {
    field: '$.completes[].startedMs'
    value: number
    index: number
  }

  export interface TaskCommandCompletesFinishedMsFieldEvent {
    field: '$.completes[].finishedMs'
    value: number
    index: number
  }

  export interface TaskCommandCompletesBackendFieldEvent {
    field: '$.completes[].backend'
    value: string
    index: number
  }

  export interface TaskCommandRefusesTaskIdFieldEvent {
    field: '$.refuses[].taskId'
    value: string
    index: number
  }

  export interface TaskCommandRefusesSubtaskFieldEvent {
    field: '$.refuses[].subtask'
    value: number
    index: number
  }

  export interface TaskCommandRefusesWorkerFieldEvent {
    field: '$.refuses[].worker'
    value: string
    index: number
  }

  export interface TaskCommandRefusesReasonFieldEvent {
    field: '$.refuses[].reason'
    value: string
    index: number
  }

  export interface TaskCommandExpiresTaskIdFieldEvent {
    field: '$.expires[].taskId'
    value: string
    index: number
  }

  export interface TaskCommandExpiresSubtaskFieldEvent {
    field: '$.expires[].subtask'
    value: number
    index: number
  }

  export interface TaskCommandExpiresWorkerFieldEvent {
    field: '$.expires[].worker'
    value: string
    index: number
  }

  export interface TaskCommandAssignsTaskIdFieldEvent {
    field: '$.assigns[].taskId'
    value: string
    index: number
  }

  export interface TaskCommandAssignsSubtaskFieldEvent {
    field: '$.assigns[].subtask'
    value: number
    index: number
  }

  export interface TaskCommandAssignsWorkerFieldEvent {
    field: '$.assigns[].worker'
    value: string
    index: number
  }

  export interface TaskCommandAssignsLeaseUntilMsFieldEvent {
    field: '$.assigns[].leaseUntilMs'
    value: number
    index: number
  }

  export function encode (obj: Partial<TaskCommand>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskCommand.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskCommand>): TaskCommand {
    return decodeMessage(buf, TaskCommand.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskCommand>): Generator<TaskCommandVersionFieldEvent | TaskCommandAtMsFieldEvent | TaskCommandAnnouncesTaskIdFieldEvent | TaskCommandAnnouncesKindFieldEvent | TaskCommandAnnouncesParamsNameFieldEvent | TaskCommandAnnouncesParamsValueFieldEvent | TaskCommandAnnouncesRedundancyFieldEvent | TaskCommandAnnouncesInitiatorFieldEvent | TaskCommandCompletesTaskIdFieldEvent | TaskCommandCompletesSubtaskFieldEvent | TaskCommandCompletesWorkerFieldEvent | TaskCommandCompletesValuesFieldEvent | TaskCommandCompletesStartedMsFieldEvent | TaskCommandCompletesFinishedMsFieldEvent | TaskCommandCompletesBackendFieldEvent | TaskCommandRefusesTaskIdFieldEvent | TaskCommandRefusesSubtaskFieldEvent | TaskCommandRefusesWorkerFieldEvent | TaskCommandRefusesReasonFieldEvent | TaskCommandExpiresTaskIdFieldEvent | TaskCommandExpiresSubtaskFieldEvent | TaskCommandExpiresWorkerFieldEvent | TaskCommandAssignsTaskIdFieldEvent | TaskCommandAssignsSubtaskFieldEvent | TaskCommandAssignsWorkerFieldEvent | TaskCommandAssignsLeaseUntilMsFieldEvent> {
    return streamMessage(buf, TaskCommand.codec(), opts)
  }
}

export interface TaskSnapshot {
  version: number
  commands: TaskCommand[]
}

export namespace TaskSnapshot {
  let _codec: Codec<TaskSnapshot>

  export const codec = (): Codec<TaskSnapshot> => {
    if (_codec == null) {
      _codec = message<TaskSnapshot>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.commands != null && obj.commands.length > 0) {
          for (const value of obj.commands) {
            w.uint32(18)
            TaskCommand.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          commands: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              if (opts.limits?.commands != null && obj.commands.length === opts.limits.commands) {
                throw new MaxLengthError('Decode error - repeated field "commands" had too many elements')
              }

              obj.commands.push(TaskCommand.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.commands$
              }))
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
          commands: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              if (opts.limits?.commands != null && obj.commands === opts.limits.commands) {
                throw new MaxLengthError('Streaming decode error - repeated field "commands" had too many elements')
              }

              for (const evt of TaskCommand.codec().stream(reader, reader.uint32(), `${prefix}.commands[]`, {
                limits: opts.limits?.commands$
              })) {
                yield {
                  ...evt,
                  index: obj.commands
                }
              }

              obj.commands++

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

  export interface TaskSnapshotVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TaskSnapshotCommandsVersionFieldEvent {
    field: '$.commands[].version'
    value: number
    index: number
  }

  export interface TaskSnapshotCommandsAtMsFieldEvent {
    field: '$.commands[].atMs'
    value: number
    index: number
  }

  export interface TaskSnapshotCommandsAnnouncesTaskIdFieldEvent {
    field: '$.commands[].announces[].taskId'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsAnnouncesKindFieldEvent {
    field: '$.commands[].announces[].kind'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsAnnouncesParamsNameFieldEvent {
    field: '$.commands[].announces[].params[].name'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsAnnouncesParamsValueFieldEvent {
    field: '$.commands[].announces[].params[].value'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsAnnouncesRedundancyFieldEvent {
    field: '$.commands[].announces[].redundancy'
    value: number
    index: number
  }

  export interface TaskSnapshotCommandsAnnouncesInitiatorFieldEvent {
    field: '$.commands[].announces[].initiator'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsCompletesTaskIdFieldEvent {
    field: '$.commands[].completes[].taskId'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsCompletesSubtaskFieldEvent {
    field: '$.commands[].completes[].subtask'
    value: number
    index: number
  }

  export interface TaskSnapshotCommandsCompletesWorkerFieldEvent {
    field: '$.commands[].completes[].worker'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsCompletesValuesFieldEvent {
    field: '$.commands[].completes[].values[]'
    index: number
    value: number
  }

  export interface TaskSnapshotCommandsCompletesStartedMsFieldEvent {
    field: '$.commands[].completes[].startedMs'
    value: number
    index: number
  }

  export interface TaskSnapshotCommandsCompletesFinishedMsFieldEvent {
    field: '$.commands[].completes[].finishedMs'
    value: number
    index: number
  }

  export interface TaskSnapshotCommandsCompletesBackendFieldEvent {
    field: '$.commands[].completes[].backend'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsRefusesTaskIdFieldEvent {
    field: '$.commands[].refuses[].taskId'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsRefusesSubtaskFieldEvent {
    field: '$.commands[].refuses[].subtask'
    value: number
    index: number
  }

  export interface TaskSnapshotCommandsRefusesWorkerFieldEvent {
    field: '$.commands[].refuses[].worker'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsRefusesReasonFieldEvent {
    field: '$.commands[].refuses[].reason'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsExpiresTaskIdFieldEvent {
    field: '$.commands[].expires[].taskId'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsExpiresSubtaskFieldEvent {
    field: '$.commands[].expires[].subtask'
    value: number
    index: number
  }

  export interface TaskSnapshotCommandsExpiresWorkerFieldEvent {
    field: '$.commands[].expires[].worker'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsAssignsTaskIdFieldEvent {
    field: '$.commands[].assigns[].taskId'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsAssignsSubtaskFieldEvent {
    field: '$.commands[].assigns[].subtask'
    value: number
    index: number
  }

  export interface TaskSnapshotCommandsAssignsWorkerFieldEvent {
    field: '$.commands[].assigns[].worker'
    value: string
    index: number
  }

  export interface TaskSnapshotCommandsAssignsLeaseUntilMsFieldEvent {
    field: '$.commands[].assigns[].leaseUntilMs'
    value: number
    index: number
  }

  export function encode (obj: Partial<TaskSnapshot>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskSnapshot.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskSnapshot>): TaskSnapshot {
    return decodeMessage(buf, TaskSnapshot.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskSnapshot>): Generator<TaskSnapshotVersionFieldEvent | TaskSnapshotCommandsVersionFieldEvent | TaskSnapshotCommandsAtMsFieldEvent | TaskSnapshotCommandsAnnouncesTaskIdFieldEvent | TaskSnapshotCommandsAnnouncesKindFieldEvent | TaskSnapshotCommandsAnnouncesParamsNameFieldEvent | TaskSnapshotCommandsAnnouncesParamsValueFieldEvent | TaskSnapshotCommandsAnnouncesRedundancyFieldEvent | TaskSnapshotCommandsAnnouncesInitiatorFieldEvent | TaskSnapshotCommandsCompletesTaskIdFieldEvent | TaskSnapshotCommandsCompletesSubtaskFieldEvent | TaskSnapshotCommandsCompletesWorkerFieldEvent | TaskSnapshotCommandsCompletesValuesFieldEvent | TaskSnapshotCommandsCompletesStartedMsFieldEvent | TaskSnapshotCommandsCompletesFinishedMsFieldEvent | TaskSnapshotCommandsCompletesBackendFieldEvent | TaskSnapshotCommandsRefusesTaskIdFieldEvent | TaskSnapshotCommandsRefusesSubtaskFieldEvent | TaskSnapshotCommandsRefusesWorkerFieldEvent | TaskSnapshotCommandsRefusesReasonFieldEvent | TaskSnapshotCommandsExpiresTaskIdFieldEvent | TaskSnapshotCommandsExpiresSubtaskFieldEvent | TaskSnapshotCommandsExpiresWorkerFieldEvent | TaskSnapshotCommandsAssignsTaskIdFieldEvent | TaskSnapshotCommandsAssignsSubtaskFieldEvent | TaskSnapshotCommandsAssignsWorkerFieldEvent | TaskSnapshotCommandsAssignsLeaseUntilMsFieldEvent> {
    return streamMessage(buf, TaskSnapshot.codec(), opts)
  }
}
