/**
 * @module Users' own external identities (`whatsapp:+5511…` is me): each address belongs to at
 * most one user. Linked by the users themselves (`/v1/users/me/identities`).
 */

export interface Identity {
  readonly userId: string
  /** The normalised address, `whatsapp:+5511999998888`. */
  readonly address: string
  readonly platform: string
  readonly createdAt: number
}

export type LinkOutcome = 'linked' | 'already_linked' | 'taken'

export interface IdentityStore {
  /** Links an address to a user: `already_linked` when it is theirs already, `taken` when it is another user's. */
  linkIdentity(identity: Identity): Promise<LinkOutcome>
  /** Oldest first. */
  listIdentities(userId: string): Promise<readonly Identity[]>
  /** The identities of several users at once (routing a message to its recipients'). */
  listIdentitiesOf(userIds: readonly string[]): Promise<readonly Identity[]>
  /** Whose identity an address is, if anyone's (a contact's message may come from a user's own identity). */
  findIdentity(address: string): Promise<Identity | undefined>
  /** False when the user had no such identity. */
  unlinkIdentity(userId: string, address: string): Promise<boolean>
}
