import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Field, InputType } from 'type-graphql';
import { requireRole, Role, Viewer } from './auth';
import { knexOf, runQuery } from './sql';
import { bindScope, scopeOfEm } from './request-scope';
import { inTransaction } from './transaction';
import { Problems, UserError, UserErrorCode } from './user-errors';
import { AuditRecord, AuditService } from '../modules/audit/audit.service';
import { IdempotencyService } from '../modules/idempotency/idempotency.service';
import { ChangeRecord, recordChanges } from '../modules/feed/feed.writer';

/**
 * The one write pipeline. Every mutation runs through `runMutation`, which does, in order:
 *
 *   1. the role check (UNAUTHENTICATED / FORBIDDEN);
 *   2. input validation into `Problems`: when there is any, the payload carries them and no
 *      transaction is opened;
 *   3. one transaction, in which:
 *   4. the idempotency claim (a replay answers the stored response and writes nothing more; the key
 *      with another input answers IDEMPOTENCY_KEY_REUSED);
 *   5. the advisory locks the mutation names (sorted, so two mutations never wait on each other in
 *      opposite orders);
 *   6. the work (which may still refuse with user errors: everything rolls back);
 *   7. the audit events the work reported, and the change feed's records of the Nodes they name;
 *   8. the stored response, under the idempotency key, for 24 hours;
 *   9. once committed, the change records are handed to the request's publisher (subscriptions).
 *
 * A module adds its steps (validate, locks, work); it never copies this plumbing.
 */

/** A named advisory lock: [namespace, id]. Writes holding the same one run one at a time. */
export type LockKey = readonly [namespace: string, id: number];

const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9._:-]{1,200}$/;

/** What the work of a mutation can do besides writing: report audit events, refuse. */
export interface MutationWork {
  /** The transaction's entity manager. */
  tx: EntityManager;
  viewer: Viewer;
  /** Audit events to record in this transaction once the work is done. */
  audit(...events: AuditRecord[]): void;
  /** Refuses the call with these user errors: the transaction rolls back, nothing is written. */
  refuse(problems: Problems): never;
}

export interface MutationSpec<V, R> {
  /** The mutation's name: the idempotency record is bound to it. */
  operation: string;
  /** Roles that may call it, and what it is called in the error message. */
  roles: Role[];
  what: string;
  /** The input as the caller sent it: a replay must carry the same. */
  input: unknown;
  /** Optional on every mutation; some (member pushes) require one. */
  idempotencyKey?: string | null;
  idempotencyRequired?: boolean;
  /** The payload that carries user errors (nothing written). */
  refused(userErrors: UserError[]): R;
  /**
   * Checks the input, and whatever the check must read, adding every problem found to `p`; returns
   * the cleaned values the work uses. May throw FORBIDDEN (e.g. another association's code).
   */
  validate(p: Problems, em: EntityManager): V | Promise<V>;
  /** The advisory locks the work needs, taken after the idempotency claim. */
  locks?(values: V): LockKey[];
  /** The work, inside the transaction. */
  work(w: MutationWork, values: V): Promise<R>;
  /** The response as stored for replays (JSON); by default the response itself. */
  store?(response: R): unknown;
  /** A stored response made whole again on replay (e.g. records loaded by id). */
  restore?(stored: unknown, tx: EntityManager): R | Promise<R>;
  /** A unique index refused the write (two callers creating the same code at once): say why. */
  onUniqueViolation?(p: Problems): void;
}

/** Thrown inside the transaction to roll it back and answer with user errors instead. */
class Refusal {
  constructor(readonly problems: Problems) {}
}

/** `idempotencyKey` of a mutation input: shared by every input that has no other key rule. */
@InputType('IdempotentInput', { description: 'Base of mutation inputs that take an idempotency key (not used on its own).' })
export abstract class IdempotentInput {
  @Field(() => String, {
    nullable: true,
    description:
      'Optional: the same key with the same input within 24 hours answers the first response and writes nothing more; with another input, IDEMPOTENCY_KEY_REUSED. 1 to 200 letters, digits, ".", "_", ":" or "-"; kept per API key.',
  })
  idempotencyKey?: string | null;
}

/** Refuses the work `w` with one user error (rolled back, nothing written). */
export function refuse(w: MutationWork, code: UserErrorCode, field: (string | number)[], message: string): never {
  const p = new Problems();
  p.add(code, field, message);
  return w.refuse(p);
}

/**
 * CONFLICT when a record is no longer at the version the caller read (`what`: "forum", "seat"…);
 * nothing to check when the caller sent no expectedVersion.
 */
export function checkVersion(w: MutationWork, what: string, version: number, expected: number | null | undefined): void {
  if (expected != null && version !== expected) refuse(w, UserErrorCode.CONFLICT, ['expectedVersion'], `The ${what} is at version ${version}, not ${expected}: read it again and retry`);
}

/** Takes the named advisory locks in a fixed order, inside the caller's transaction. */
export async function takeLocks(tx: EntityManager, locks: LockKey[]): Promise<void> {
  const sorted = [...locks].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x - y));
  for (const [namespace, id] of sorted) {
    await runQuery(tx, knexOf(tx).raw(`select pg_advisory_xact_lock(hashtext(?), ?)`, [`federation-hub:${namespace}`, id]));
  }
}

export async function runMutation<V, R>(em: EntityManager, viewer: Viewer, spec: MutationSpec<V, R>): Promise<R> {
  requireRole(viewer, spec.roles, spec.what);

  const p = new Problems();
  const key = spec.idempotencyKey ?? null;
  if (key === null) {
    if (spec.idempotencyRequired) p.add(UserErrorCode.REQUIRED, ['idempotencyKey'], 'idempotencyKey is required');
  } else if (!IDEMPOTENCY_KEY_RE.test(key)) {
    p.add(UserErrorCode.INVALID, ['idempotencyKey'], 'idempotencyKey must be 1 to 200 letters, digits, ".", "_", ":" or "-"');
  }
  const values = await spec.validate(p, em);
  const replay = (stored: unknown, on: EntityManager): R | Promise<R> => (spec.restore ? spec.restore(stored, on) : (stored as R));
  const keyId = viewer.keyId;
  const claimed = key !== null && keyId !== null && !p.list.some((e) => e.field[0] === 'idempotencyKey');
  if (p.any) {
    // A replay answers the first response even where the input no longer passes (what it created exists now).
    const stored = claimed ? await new IdempotencyService(em).storedResponse(keyId, key, spec.operation, spec.input) : null;
    if (stored !== null) return replay(stored, em);
    return spec.refused(p.list);
  }

  let recorded: ChangeRecord[] = [];
  try {
    const response = await inTransaction(em, async (tx) => {
      recorded = [];
      bindScope(tx, scopeOfEm(em)); // the transaction's statements count for the request, its audit events name it
      const idem = new IdempotencyService(tx);
      if (claimed) {
        const claim = await idem.claim<unknown>(keyId, key, spec.operation, spec.input);
        if (claim.kind === 'replay') return replay(claim.response, tx);
        if (claim.kind === 'reused') {
          const r = new Problems();
          r.add(UserErrorCode.IDEMPOTENCY_KEY_REUSED, ['idempotencyKey'], 'This idempotency key was used in the last 24 hours with a different input');
          throw new Refusal(r);
        }
      }
      if (spec.locks) await takeLocks(tx, spec.locks(values));
      const events: AuditRecord[] = [];
      const response = await spec.work(
        {
          tx,
          viewer,
          audit: (...e) => void events.push(...e),
          refuse: (problems) => {
            throw new Refusal(problems);
          },
        },
        values,
      );
      await new AuditService(tx, viewer).record(events);
      recorded = await recordChanges(tx, viewer, events);
      if (claimed) await idem.complete(keyId, key, spec.store ? spec.store(response) : response);
      return response;
    });
    if (recorded.length) scopeOfEm(em)?.publishChanges?.(recorded);
    return response;
  } catch (e) {
    // A refused call keeps no idempotency record (it rolled back): the caller can fix and retry with the same key.
    if (e instanceof Refusal) return spec.refused(e.problems.list);
    if (e instanceof UniqueConstraintViolationException && spec.onUniqueViolation) {
      const r = new Problems();
      spec.onUniqueViolation(r);
      return spec.refused(r.list);
    }
    throw e;
  }
}
