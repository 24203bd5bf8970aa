/** What the page's validator duty is doing (the set membership itself is the adapter's: see DutySnapshot.role). */
export type DutyStatus = 'no-role' | 'starting' | 'running' | 'no-chain' | 'error'

/**
 * Whether the duty must start or stop now: it runs exactly while this node holds the validator
 * role and its mesh node is up. Removal from the set does not stop it (the adapter follows the
 * chain and stops voting by itself, and votes again if an admin adds it back); losing the role
 * (revoked, expired) does.
 */
export function dutyAction(now: {
  readonly hasRole: boolean
  readonly running: boolean
  readonly ready: boolean
}): 'start' | 'stop' | null {
  if (now.hasRole && now.ready && !now.running) return 'start'
  if (!now.hasRole && now.running) return 'stop'
  return null
}
