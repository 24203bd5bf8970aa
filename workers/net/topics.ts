import type { MessageKind } from '../protocol/kind-spec'

/** The gossip kinds every node (browser or relay) subscribes to and forwards. */
export const gossipKinds: readonly MessageKind[] = ['mesh.presence', 'mesh.chat', 'cred.grant', 'cred.revoke']
