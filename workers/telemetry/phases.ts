/**
 * The named steps of each kind of multi-step work the mesh traces and measures. A trace has
 * one root span per piece of work (a BFT height, a federated round, a task) and one child
 * span per phase it goes through; metrics use the same names as labels, so the sets are closed.
 */
export const bftPhases = ['propose', 'prevote', 'precommit', 'commit'] as const
export type BftPhase = (typeof bftPhases)[number]

export const flRoundPhases = ['announce', 'train', 'submit', 'aggregate', 'validate', 'consensus', 'adopt'] as const
export type FlRoundPhase = (typeof flRoundPhases)[number]

export const taskPhases = ['announce', 'elect', 'assign', 'run', 'complete'] as const
export type TaskPhase = (typeof taskPhases)[number]

export type WorkKind = 'bft.height' | 'fl.round' | 'task'
export type PhaseOf<K extends WorkKind> = K extends 'bft.height' ? BftPhase : K extends 'fl.round' ? FlRoundPhase : TaskPhase
