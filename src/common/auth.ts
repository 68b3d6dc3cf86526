/**
 * Who is asking. Every service takes the viewer and decides what it may see and do, so that
 * no resolver path skips a check. Keys and roles arrive in a later step; until then every
 * caller is anonymous (public).
 */
export type Role = 'PUBLIC';

export interface Viewer {
  role: Role;
}

export const ANONYMOUS: Viewer = { role: 'PUBLIC' };
