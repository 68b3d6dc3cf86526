import { ErrorCode, HubError } from './errors';

/**
 * Who is asking, and what they may do. Every service takes the viewer and applies these rules,
 * so no resolver path skips a check.
 *
 * | who                 | reads                                                        | writes                                   |
 * |---------------------|--------------------------------------------------------------|------------------------------------------|
 * | PUBLIC (no key)     | federations, associations, stats, public profiles            | nothing                                  |
 * | ANALYST             | everything except personal data and keys                     | nothing                                  |
 * | ASSOCIATION (bound) | as public, plus its own members with their personal data     | its own association and its memberships  |
 * | ADMIN               | everything, the audit log included                           | everything                               |
 */
export type Role = 'PUBLIC' | 'ANALYST' | 'ASSOCIATION' | 'ADMIN';

export interface Viewer {
  role: Role;
  keyId: number | null;
  keyLabel: string | null;
  /** The association an ASSOCIATION key is bound to. */
  associationId: number | null;
}

export const ANONYMOUS: Viewer = Object.freeze({ role: 'PUBLIC', keyId: null, keyLabel: null, associationId: null });

export const unauthenticated = (message = 'This needs an API key: send "Authorization: Bearer <key>"') =>
  new HubError(ErrorCode.UNAUTHENTICATED, message);

export const forbidden = (message: string) => new HubError(ErrorCode.FORBIDDEN, message);

/** Throws UNAUTHENTICATED without a key, FORBIDDEN with a key of another role. */
export function requireRole(viewer: Viewer, roles: Role[], what: string): void {
  if (viewer.role === 'PUBLIC') throw unauthenticated();
  if (!roles.includes(viewer.role)) throw forbidden(`${what} needs a key with role ${roles.join(' or ')}; this key is ${viewer.role}`);
}

/** May this viewer write to (or see the personal data of) this association's records? */
export function actsFor(viewer: Viewer, associationId: number): boolean {
  return viewer.role === 'ADMIN' || (viewer.role === 'ASSOCIATION' && viewer.associationId === associationId);
}
