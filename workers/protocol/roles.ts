/**
 * Roles a credential can grant, from the seed's trust zones: trainer and worker are
 * untrusted (anyone may join as one), aggregator and coordinator partially trusted,
 * validator and bootstrap highly trusted, admin grants and revokes the others.
 */
export const roles = ['trainer', 'worker', 'aggregator', 'coordinator', 'validator', 'bootstrap', 'admin'] as const
export type Role = (typeof roles)[number]

/** Roles the relay issues on join without an admin's grant. */
export const selfServiceRoles: readonly Role[] = ['trainer', 'worker']

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value)
}
