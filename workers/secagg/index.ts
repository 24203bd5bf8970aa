/**
 * Secure aggregation with dropouts: Bonawitz et al. (CCS 2017), SecAgg+ (Bell et al., CCS 2020)
 * and bucketing for robustness (Karimireddy et al., ICLR 2022), as pure state machines.
 * The host moves payloads (secagg.proto) between SecAggClient and SecAggAggregator, inside the
 * signed envelope, and tells the aggregator which cohort index each payload came from.
 * Node hosts may pass `nodePrimitives` (./node-primitives, not re-exported here because it
 * imports node:crypto) for OpenSSL speed with identical bytes.
 */
export { SecAggClient, type ClientOptions, type ClientPhase, type Step } from './client'
export { SecAggAggregator, type AggregatorPhase, type AggregatorStep, type Receipt, type SecAggResult } from './aggregator'
export { checkParams, minClients, neighbourLists, suggestHararyGraph, type GraphSpec, type RoundParams } from './params'
export { quantization, sumErrorBound, type Quantization } from './quantize'
export { noblePrimitives, type SecAggPrimitives } from './primitives'
export { cryptoRandomSource, type RandomSource } from './random'
export { combineBuckets, planBuckets, type BucketPlan, type BucketPlanOptions, type BucketRule } from './bucketed'
export { runLocalRound, PHASES, type LocalRoundOptions, type LocalRoundReport, type Phase } from './local-round'
export * as wire from './secagg.pb'
