import type { Role } from '../roles'

/**
 * Who may send a kind:
 * - 'anyone': no credential needed (announcing yourself, asking to join);
 * - 'any-role': any sender with a valid credential, whatever its roles;
 * - a role list: a valid credential holding at least one of them.
 */
export type Senders = 'anyone' | 'any-role' | readonly Role[]

/**
 * Message kind → senders. A key ending in ".*" covers every kind under that prefix; an exact
 * key beats a prefix and a longer prefix beats a shorter one. Kinds not covered are refused.
 * Secure-aggregation kinds are split by direction: clients (trainers) send `secagg.client.*`,
 * the server (aggregator) sends `secagg.server.*`.
 */
export const rbacTable: Readonly<Record<string, Senders>> = {
  'mesh.presence': 'anyone',
  'mesh.ping': 'anyone',
  'cred.request': 'anyone',
  'mesh.chat': 'any-role',
  'mesh.test': 'any-role',
  'transfer.*': 'any-role',
  'fl.round.announce': ['aggregator', 'coordinator'],
  'fl.update.submit': ['trainer'],
  'fl.aggregate.propose': ['aggregator'],
  'bft.*': ['validator'],
  'raft.*': ['coordinator'],
  'task.announce': ['coordinator', 'admin'],
  'task.result': ['worker'],
  'secagg.client.*': ['trainer'],
  'secagg.server.*': ['aggregator'],
  'cred.grant': ['admin', 'bootstrap'],
  'cred.revoke': ['admin', 'bootstrap'],
  'audit.read': ['admin'],
  'ops.report': 'any-role',
}
