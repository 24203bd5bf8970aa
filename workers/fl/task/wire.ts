import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum PartitionKind {
  IID = 'IID',
  DIRICHLET = 'DIRICHLET',
  SORTED = 'SORTED'
}

enum __PartitionKindValues {
  IID = 0,
  DIRICHLET = 1,
  SORTED = 2
}

export namespace PartitionKind {
  export const codec = (): Codec<PartitionKind> => {
    return enumeration<PartitionKind>(__PartitionKindValues)
  }
}

export enum PrivacyMode {
  ROBUST = 'ROBUST',
  SECURE = 'SECURE'
}

enum __PrivacyModeValues {
  ROBUST = 0,
  SECURE = 1
}

export namespace PrivacyMode {
  export const codec = (): Codec<PrivacyMode> => {
    return enumeration<PrivacyMode>(__PrivacyModeValues)
  }
}

export interface TaskSpec {
  version: number
  name: string
  modelJson: string
  partition: PartitionKind
  dirichletAlpha: number
  rounds: number
  localEpochs: number
  localSteps: number
  batchSize: number
  learningRate: number
  clipNorm: number
  rule: string
  ruleTrim: number
  ruleF: number
  ruleM: number
  ruleTau: number
  privacy: PrivacyMode
  bucketSize: number
  quorum: number
  collectMs: number
  validateMs: number
  maxAccuracyDrop: number
  dataSeed: number
  createdMs: bigint
  creator: string
}

export namespace TaskSpec {
  let _codec: Codec<TaskSpec>

  export const codec = (): Codec<TaskSpec> => {
    if (_codec == null) {
      _codec = message<TaskSpec>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.modelJson != null && obj.modelJson !== '')) {
          w.uint32(26)
          w.string(obj.modelJson)
        }

        if (obj.partition != null && __PartitionKindValues[obj.partition] !== 0) {
          w.uint32(32)
          PartitionKind.codec().encode(obj.partition, w)
        }

        if ((obj.dirichletAlpha != null && obj.dirichletAlpha !== 0)) {
          w.uint32(41)
          w.double(obj.dirichletAlpha)
        }

        if ((obj.rounds != null && obj.rounds !== 0)) {
          w.uint32(48)
          w.uint32(obj.rounds)
        }

        if ((obj.localEpochs != null && obj.localEpochs !== 0)) {
          w.uint32(56)
          w.uint32(obj.localEpochs)
        }

        if ((obj.localSteps != null && obj.localSteps !== 0)) {
          w.uint32(64)
          w.uint32(obj.localSteps)
        }

        if ((obj.batchSize != null && obj.batchSize !== 0)) {
          w.uint32(72)
          w.uint32(obj.batchSize)
        }

        if ((obj.learningRate != null && obj.learningRate !== 0)) {
          w.uint32(81)
          w.double(obj.learningRate)
        }

        if ((obj.clipNorm != null && obj.clipNorm !== 0)) {
          w.uint32(89)
          w.double(obj.clipNorm)
        }

        if ((obj.rule != null && obj.rule !== '')) {
          w.uint32(98)
          w.string(obj.rule)
        }

        if ((obj.ruleTrim != null && obj.ruleTrim !== 0)) {
          w.uint32(104)
          w.uint32(obj.ruleTrim)
        }

        if ((obj.ruleF != null && obj.ruleF !== 0)) {
          w.uint32(112)
          w.uint32(obj.ruleF)
        }

        if ((obj.ruleM != null && obj.ruleM !== 0)) {
          w.uint32(120)
          w.uint32(obj.ruleM)
        }

        if ((obj.ruleTau != null && obj.ruleTau !== 0)) {
          w.uint32(129)
          w.double(obj.ruleTau)
        }

        if (obj.privacy != null && __PrivacyModeValues[obj.privacy] !== 0) {
          w.uint32(136)
          PrivacyMode.codec().encode(obj.privacy, w)
        }

        if ((obj.bucketSize != null && obj.bucketSize !== 0)) {
          w.uint32(144)
          w.uint32(obj.bucketSize)
        }

        if ((obj.quorum != null && obj.quorum !== 0)) {
          w.uint32(152)
          w.uint32(obj.quorum)
        }

        if ((obj.collectMs != null && obj.collectMs !== 0)) {
          w.uint32(160)
          w.uint32(obj.collectMs)
        }

        if ((obj.validateMs != null && obj.validateMs !== 0)) {
          w.uint32(168)
          w.uint32(obj.validateMs)
        }

        if ((obj.maxAccuracyDrop != null && obj.maxAccuracyDrop !== 0)) {
          w.uint32(177)
          w.double(obj.maxAccuracyDrop)
        }

        if ((obj.dataSeed != null && obj.dataSeed !== 0)) {
          w.uint32(184)
          w.uint32(obj.dataSeed)
        }

        if ((obj.createdMs != null && obj.createdMs !== 0n)) {
          w.uint32(192)
          w.uint64(obj.createdMs)
        }

        if ((obj.creator != null && obj.creator !== '')) {
          w.uint32(202)
          w.string(obj.creator)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          name: '',
          modelJson: '',
          partition: PartitionKind.IID,
          dirichletAlpha: 0,
          rounds: 0,
          localEpochs: 0,
          localSteps: 0,
          batchSize: 0,
          learningRate: 0,
          clipNorm: 0,
          rule: '',
          ruleTrim: 0,
          ruleF: 0,
          ruleM: 0,
          ruleTau: 0,
          privacy: PrivacyMode.ROBUST,
          bucketSize: 0,
          quorum: 0,
          collectMs: 0,
          validateMs: 0,
          maxAccuracyDrop: 0,
          dataSeed: 0,
          createdMs: 0n,
          creator: ''
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
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.modelJson = reader.string()
              break
            }
            case 4: {
              obj.partition = PartitionKind.codec().decode(reader)
              break
            }
            case 5: {
              obj.dirichletAlpha = reader.double()
              break
            }
            case 6: {
              obj.rounds = reader.uint32()
              break
            }
            case 7: {
              obj.localEpochs = reader.uint32()
              break
            }
            case 8: {
              obj.localSteps = reader.uint32()
              break
            }
            case 9: {
              obj.batchSize = reader.uint32()
              break
            }
            case 10: {
              obj.learningRate = reader.double()
              break
            }
            case 11: {
              obj.clipNorm = reader.double()
              break
            }
            case 12: {
              obj.rule = reader.string()
              break
            }
            case 13: {
              obj.ruleTrim = reader.uint32()
              break
            }
            case 14: {
              obj.ruleF = reader.uint32()
              break
            }
            case 15: {
              obj.ruleM = reader.uint32()
              break
            }
            case 16: {
              obj.ruleTau = reader.double()
              break
            }
            case 17: {
              obj.privacy = PrivacyMode.codec().decode(reader)
              break
            }
            case 18: {
              obj.bucketSize = reader.uint32()
              break
            }
            case 19: {
              obj.quorum = reader.uint32()
              break
            }
            case 20: {
              obj.collectMs = reader.uint32()
              break
            }
            case 21: {
              obj.validateMs = reader.uint32()
              break
            }
            case 22: {
              obj.maxAccuracyDrop = reader.double()
              break
            }
            case 23: {
              obj.dataSeed = reader.uint32()
              break
            }
            case 24: {
              obj.createdMs = reader.uint64()
              break
            }
            case 25: {
              obj.creator = reader.string()
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
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.modelJson`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.partition`,
                value: PartitionKind.codec().decode(reader)
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.dirichletAlpha`,
                value: reader.double()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.rounds`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.localEpochs`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.localSteps`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.batchSize`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.learningRate`,
                value: reader.double()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.clipNorm`,
                value: reader.double()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.rule`,
                value: reader.string()
              }
              break
            }
            case 13: {
              yield {
                field: `${prefix}.ruleTrim`,
                value: reader.uint32()
              }
              break
            }
            case 14: {
              yield {
                field: `${prefix}.ruleF`,
                value: reader.uint32()
              }
              break
            }
            case 15: {
              yield {
                field: `${prefix}.ruleM`,
                value: reader.uint32()
              }
              break
            }
            case 16: {
              yield {
                field: `${prefix}.ruleTau`,
                value: reader.double()
              }
              break
            }
            case 17: {
              yield {
                field: `${prefix}.privacy`,
                value: PrivacyMode.codec().decode(reader)
              }
              break
            }
            case 18: {
              yield {
                field: `${prefix}.bucketSize`,
                value: reader.uint32()
              }
              break
            }
            case 19: {
              yield {
                field: `${prefix}.quorum`,
                value: reader.uint32()
              }
              break
            }
            case 20: {
              yield {
                field: `${prefix}.collectMs`,
                value: reader.uint32()
              }
              break
            }
            case 21: {
              yield {
                field: `${prefix}.validateMs`,
                value: reader.uint32()
              }
              break
            }
            case 22: {
              yield {
                field: `${prefix}.maxAccuracyDrop`,
                value: reader.double()
              }
              break
            }
            case 23: {
              yield {
                field: `${prefix}.dataSeed`,
                value: reader.uint32()
              }
              break
            }
            case 24: {
              yield {
                field: `${prefix}.createdMs`,
                value: reader.uint64()
              }
              break
            }
            case 25: {
              yield {
                field: `${prefix}.creator`,
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

  export interface TaskSpecVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface TaskSpecNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface TaskSpecModelJsonFieldEvent {
    field: '$.modelJson'
    value: string
  }

  export interface TaskSpecPartitionFieldEvent {
    field: '$.partition'
    value: PartitionKind
  }

  export interface TaskSpecDirichletAlphaFieldEvent {
    field: '$.dirichletAlpha'
    value: number
  }

  export interface TaskSpecRoundsFieldEvent {
    field: '$.rounds'
    value: number
  }

  export interface TaskSpecLocalEpochsFieldEvent {
    field: '$.localEpochs'
    value: number
  }

  export interface TaskSpecLocalStepsFieldEvent {
    field: '$.localSteps'
    value: number
  }

  export interface TaskSpecBatchSizeFieldEvent {
    field: '$.batchSize'
    value: number
  }

  export interface TaskSpecLearningRateFieldEvent {
    field: '$.learningRate'
    value: number
  }

  export interface TaskSpecClipNormFieldEvent {
    field: '$.clipNorm'
    value: number
  }

  export interface TaskSpecRuleFieldEvent {
    field: '$.rule'
    value: string
  }

  export interface TaskSpecRuleTrimFieldEvent {
    field: '$.ruleTrim'
    value: number
  }

  export interface TaskSpecRuleFFieldEvent {
    field: '$.ruleF'
    value: number
  }

  export interface TaskSpecRuleMFieldEvent {
    field: '$.ruleM'
    value: number
  }

  export interface TaskSpecRuleTauFieldEvent {
    field: '$.ruleTau'
    value: number
  }

  export interface TaskSpecPrivacyFieldEvent {
    field: '$.privacy'
    value: PrivacyMode
  }

  export interface TaskSpecBucketSizeFieldEvent {
    field: '$.bucketSize'
    value: number
  }

  export interface TaskSpecQuorumFieldEvent {
    field: '$.quorum'
    value: number
  }

  export interface TaskSpecCollectMsFieldEvent {
    field: '$.collectMs'
    value: number
  }

  export interface TaskSpecValidateMsFieldEvent {
    field: '$.validateMs'
    value: number
  }

  export interface TaskSpecMaxAccuracyDropFieldEvent {
    field: '$.maxAccuracyDrop'
    value: number
  }

  export interface TaskSpecDataSeedFieldEvent {
    field: '$.dataSeed'
    value: number
  }

  export interface TaskSpecCreatedMsFieldEvent {
    field: '$.createdMs'
    value: bigint
  }

  export interface TaskSpecCreatorFieldEvent {
    field: '$.creator'
    value: string
  }

  export function encode (obj: Partial<TaskSpec>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskSpec.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskSpec>): TaskSpec {
    return decodeMessage(buf, TaskSpec.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskSpec>): Generator<TaskSpecVersionFieldEvent | TaskSpecNameFieldEvent | TaskSpecModelJsonFieldEvent | TaskSpecPartitionFieldEvent | TaskSpecDirichletAlphaFieldEvent | TaskSpecRoundsFieldEvent | TaskSpecLocalEpochsFieldEvent | TaskSpecLocalStepsFieldEvent | TaskSpecBatchSizeFieldEvent | TaskSpecLearningRateFieldEvent | TaskSpecClipNormFieldEvent | TaskSpecRuleFieldEvent | TaskSpecRuleTrimFieldEvent | TaskSpecRuleFFieldEvent | TaskSpecRuleMFieldEvent | TaskSpecRuleTauFieldEvent | TaskSpecPrivacyFieldEvent | TaskSpecBucketSizeFieldEvent | TaskSpecQuorumFieldEvent | TaskSpecCollectMsFieldEvent | TaskSpecValidateMsFieldEvent | TaskSpecMaxAccuracyDropFieldEvent | TaskSpecDataSeedFieldEvent | TaskSpecCreatedMsFieldEvent | TaskSpecCreatorFieldEvent> {
    return streamMessage(buf, TaskSpec.codec(), opts)
  }
}
