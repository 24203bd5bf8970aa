import { createRng } from '../../../workers/common/random'

/** The task simulator's view of the shared seeded PRNG: inclusive integer ranges. */
export interface Random {
  next(): number
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number
  chance(probability: number): boolean
  pick<T>(items: readonly T[]): T
  shuffle<T>(items: readonly T[]): T[]
}

export function seededRandom(seed: number): Random {
  const rng = createRng(seed)
  return {
    next: () => rng.next(),
    int: (min, max) => min + rng.int(max - min + 1),
    chance: (p) => rng.chance(p),
    pick: (items) => rng.pick(items),
    shuffle: (items) => rng.shuffle(items),
  }
}
