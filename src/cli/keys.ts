import type { MikroORM } from '@mikro-orm/postgresql';
import { ApiKeyService } from '../modules/key/api-key.service';

const ROLES = ['ADMIN', 'ANALYST', 'ASSOCIATION'] as const;

export const KEYS_HELP = `  keys create --role ADMIN|ANALYST|ASSOCIATION [--association CODE] --label TEXT
                     create an API key; it is printed once, alone on the last line
  keys list          list keys (id, role, association, label, created, last used, revoked)
  keys revoke <id>   revoke a key (it stops working at once)`;

import { UsageError } from './usage';

export { UsageError };

/** Parses `--name value` pairs; unknown or repeated options are usage errors. */
export function parseOptions(args: string[], allowed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let k = 0; k < args.length; k++) {
    const m = /^--([a-z-]+)$/.exec(args[k]);
    if (!m || !allowed.includes(m[1])) throw new UsageError(`Unknown option "${args[k]}"; expected ${allowed.map((a) => `--${a}`).join(', ')}`);
    if (m[1] in out) throw new UsageError(`--${m[1]} given twice`);
    const value = args[k + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${m[1]} needs a value`);
    out[m[1]] = value;
    k++;
  }
  return out;
}

/** What a `keys` command asks for, checked before any database is opened. */
export type KeysAction =
  | { kind: 'create'; role: (typeof ROLES)[number]; label: string; association: string | null }
  | { kind: 'list' }
  | { kind: 'revoke'; id: number };

/** Parses and checks the arguments of `keys`; a mistake is a UsageError, with no database opened. */
export function parseKeysCommand(args: string[]): KeysAction {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': {
      const o = parseOptions(rest, ['role', 'association', 'label']);
      const role = o.role as (typeof ROLES)[number];
      if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      if (!o.label) throw new UsageError('--label is required');
      return { kind: 'create', role, label: o.label, association: o.association ?? null };
    }
    case 'list':
      if (rest.length) throw new UsageError('keys list takes no arguments');
      return { kind: 'list' };
    case 'revoke': {
      const id = Number(rest[0]);
      if (rest.length !== 1 || !Number.isInteger(id) || id <= 0) throw new UsageError('keys revoke needs one key id (see keys list)');
      return { kind: 'revoke', id };
    }
    default:
      throw new UsageError(`Unknown keys command "${sub ?? ''}"\n${KEYS_HELP}`);
  }
}

export async function runKeysCommand(orm: MikroORM, action: KeysAction, print: (line: string) => void): Promise<number> {
  const service = new ApiKeyService(orm.em.fork());
  switch (action.kind) {
    case 'create': {
      const key = await service.create({ role: action.role, label: action.label, associationCode: action.association });
      print(`Created key ${key.id} (${key.role}${key.associationCode ? ` for ${key.associationCode}` : ''}, "${key.label}"). It is shown only now; keep it secret:`);
      print(key.key);
      return 0;
    }
    case 'list': {
      const keys = await service.list();
      if (!keys.length) print('No keys.');
      for (const k of keys) {
        print(
          [
            `${k.id}`,
            k.role,
            k.associationCode ?? '-',
            `${k.prefix}…`,
            JSON.stringify(k.label),
            `created ${k.createdAt.toISOString()}`,
            `last used ${k.lastUsedAt ? k.lastUsedAt.toISOString() : 'never'}`,
            k.revokedAt ? `REVOKED ${k.revokedAt.toISOString()}` : 'active',
          ].join('\t'),
        );
      }
      return 0;
    }
    case 'revoke':
      if (!(await service.revoke(action.id))) {
        print(`No key has the id ${action.id}.`);
        return 1;
      }
      print(`Key ${action.id} revoked.`);
      return 0;
  }
}
