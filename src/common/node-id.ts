import { badInput } from './errors';

/** Relay global ids: opaque base64url of "Type:id". */
export function toGlobalId(type: string, id: number | string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/** Decodes a global id; null when it is not one of ours (callers answer "not found"). */
export function fromGlobalId(globalId: string): { type: string; id: number } | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(globalId)) return null;
  const raw = Buffer.from(globalId, 'base64url').toString('utf8');
  const m = /^([A-Za-z]+):([1-9][0-9]{0,14})$/.exec(raw);
  if (!m || Number(m[2]) > 2147483647) return null; // ids are PostgreSQL integers: a larger one names nothing
  return { type: m[1], id: Number(m[2]) };
}

/** Decodes a global id that must name the given type, or throws BAD_USER_INPUT. */
export function expectGlobalId(globalId: string, type: string, argName = 'id'): number {
  const decoded = fromGlobalId(globalId);
  if (!decoded || decoded.type !== type) throw badInput(`${argName} is not a ${type} id`, { argumentName: argName });
  return decoded.id;
}
