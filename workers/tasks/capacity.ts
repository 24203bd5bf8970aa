import type { TaskPull } from './wire.pb'

/**
 * A worker's capacity in work units per second (a unit is roughly one sample processed), from
 * what it reports: its recent measured throughput when it has one, else the training worker's
 * calibration (samples/s on its backend), else a guess from its cores. A hidden tab is
 * throttled by the browser and a phone low on battery should be spared, so both count less.
 */
export function capacityOf(pull: Pick<TaskPull, 'recentUnitsPerS' | 'samplesPerS' | 'cores' | 'visible' | 'battery' | 'charging'>): number {
  let units = pull.recentUnitsPerS > 0 ? pull.recentUnitsPerS : pull.samplesPerS > 0 ? pull.samplesPerS : Math.max(1, pull.cores) * 500
  if (!pull.visible) units *= 0.25
  if (pull.battery >= 0 && pull.battery < 0.2 && !pull.charging) units *= 0.25
  return Math.max(units, 1e-3)
}
