import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, requireRole, requireWriteAccess, Viewer } from '../../common/auth';
import { toGlobalId } from '../../common/node-id';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import { givenNameOf } from '../../common/text';
import { Problems, UserError, UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { Association } from '../association/association.entity';
import { AuditRecord, AuditService, diff } from '../audit/audit.service';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { AcademicTitle, Degree, Gender, MembershipRole, MembershipStatus } from './intellectual.enums';
import { EndMembershipsInput, MemberInput, UpsertMembersInput } from './membership-push.inputs';
import { PushOutcome } from './membership-push.types';

export const MAX_PUSH_ROWS = 5000;
const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9._:-]{1,200}$/;

/** A person's stored values, in the names the audit log and the comparison use. */
interface PersonValues {
  fullName: string;
  email: string | null;
  phone: string | null;
  birthDate: string | null;
  gender: string;
  highestDegree: string | null;
  academicTitle: string;
  fields: string[];
  workplace: string | null;
  position: string | null;
  publicProfile: boolean;
}

interface MembershipValues {
  memberNumber: string | null;
  joinedOn: string | null;
  role: string;
  status: string;
  leftOn: string | null;
  endReason: string | null;
}

interface CleanRow {
  index: number;
  externalId: string;
  person: Partial<PersonValues>;
  membership: Partial<MembershipValues>;
}

interface ExistingRow {
  m_id: number;
  external_id: string;
  i_id: number;
  person: PersonValues;
  membership: MembershipValues;
}

export interface PushResultData {
  externalId: string;
  intellectualId: string;
  membershipId: string;
  outcome: PushOutcome;
}

export interface UpsertMembersResult {
  created: number;
  updated: number;
  unchanged: number;
  results: PushResultData[];
  userErrors: UserError[];
}

export interface EndMembershipsResult {
  ended: number;
  results: PushResultData[];
  userErrors: UserError[];
}

/** Thrown inside a transaction to roll it back and answer with user errors instead. */
class Refusal<T> {
  constructor(readonly payload: T) {}
}

const PERSON_DEFAULTS: PersonValues = {
  fullName: '',
  email: null,
  phone: null,
  birthDate: null,
  gender: Gender.UNDISCLOSED,
  highestDegree: null,
  academicTitle: AcademicTitle.NONE,
  fields: [],
  workplace: null,
  position: null,
  publicProfile: false,
};

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Pushes from association apps: members created or updated by (association, externalId), and
 * memberships ended. Each call validates every row first (all problems, with paths), then writes
 * in one transaction holding the association's advisory lock, with its audit events, and keeps
 * the response under the caller's idempotency key.
 */
export class MembershipPushService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  /** The association written to; null (with NOT_FOUND recorded) when ADMIN names an unknown code. */
  private async writableAssociation(code: string, p: Problems): Promise<Association | null> {
    requireRole(this.viewer, ['ADMIN', 'ASSOCIATION'], 'Writing members');
    const association = await this.em.findOne(Association, { code });
    if (!association) {
      // Do not tell an association's key which other codes exist.
      if (this.viewer.role !== 'ADMIN') throw forbidden(`This key may not write to association ${code}`);
      p.add(UserErrorCode.NOT_FOUND, ['associationCode'], `No association has the code ${code}`);
      return null;
    }
    requireWriteAccess(this.viewer, association.id, association.code);
    return association;
  }

  private validateRow(p: Problems, raw: MemberInput, k: number): CleanRow {
    const at = (f: string) => ['members', k, f];
    const has = (f: keyof MemberInput) => raw[f] !== undefined;
    const person: Partial<PersonValues> = {};
    const membership: Partial<MembershipValues> = {};
    const externalId = v.text(p, at('externalId'), raw.externalId ?? null, { max: 100, required: true }) ?? '';
    if (has('fullName')) person.fullName = v.text(p, at('fullName'), raw.fullName, { max: 200, required: true }) ?? '';
    if (has('email')) person.email = v.email(p, at('email'), raw.email) ?? null;
    if (has('phone')) person.phone = v.phone(p, at('phone'), raw.phone) ?? null;
    if (has('birthDate')) person.birthDate = v.date(p, at('birthDate'), raw.birthDate, { notFuture: true, min: '1900-01-01' }) ?? null;
    if (has('gender')) person.gender = v.enumValue(p, at('gender'), raw.gender, Gender) ?? Gender.UNDISCLOSED;
    if (has('degree')) person.highestDegree = v.enumValue(p, at('degree'), raw.degree, Degree) ?? null;
    if (has('academicTitle')) person.academicTitle = v.enumValue(p, at('academicTitle'), raw.academicTitle, AcademicTitle) ?? AcademicTitle.NONE;
    if (has('fields')) person.fields = v.fieldCodes(p, at('fields'), raw.fields) ?? [];
    if (has('workplace')) person.workplace = v.text(p, at('workplace'), raw.workplace, { max: 300 }) ?? null;
    if (has('position')) person.position = v.text(p, at('position'), raw.position, { max: 300 }) ?? null;
    if (has('publicProfile')) person.publicProfile = raw.publicProfile ?? false;
    if (has('memberNumber')) membership.memberNumber = v.text(p, at('memberNumber'), raw.memberNumber, { max: 50 }) ?? null;
    if (has('joinedOn')) membership.joinedOn = v.date(p, at('joinedOn'), raw.joinedOn, { notFuture: true, min: '1900-01-01' }) ?? null;
    if (has('role')) membership.role = v.enumValue(p, at('role'), raw.role, MembershipRole) ?? MembershipRole.MEMBER;
    return { index: k, externalId, person, membership };
  }

  private validateIdempotencyKey(p: Problems, key: string | null | undefined, required: boolean): void {
    if (key === undefined || key === null) {
      if (required) p.add(UserErrorCode.REQUIRED, ['idempotencyKey'], 'idempotencyKey is required');
    } else if (!IDEMPOTENCY_KEY_RE.test(key)) {
      p.add(UserErrorCode.INVALID, ['idempotencyKey'], 'idempotencyKey must be 1 to 200 letters, digits, ".", "_", ":" or "-"');
    }
  }

  private async lockAssociation(tx: EntityManager, associationId: number): Promise<void> {
    // Pushes for one association run one at a time; other associations are not held up.
    await runQuery(tx, knexOf(tx).raw(`select pg_advisory_xact_lock(hashtext('federation-hub:association'), ?)`, [associationId]));
  }

  private async existing(tx: EntityManager, associationId: number, externalIds: string[]): Promise<Map<string, ExistingRow>> {
    const rows = await runQuery<Record<string, any>>(
      tx,
      knexOf(tx).raw(
        `select m.id as m_id, m.external_id, m.member_number, m.joined_on, m.role, m.status, m.left_on, m.end_reason,
                i.id as i_id, i.full_name, i.email, i.phone, i.birth_date, i.gender, i.highest_degree, i.academic_title,
                i.fields, i.workplace, i.position, i.public_profile
         from membership m join intellectual i on i.id = m.intellectual_id
         where m.association_id = ? and m.external_id = any(?::text[])`,
        [associationId, pgArray(externalIds)],
      ),
    );
    return new Map(
      rows.map((r) => [
        r.external_id as string,
        {
          m_id: Number(r.m_id),
          external_id: r.external_id,
          i_id: Number(r.i_id),
          person: {
            fullName: r.full_name,
            email: r.email,
            phone: r.phone,
            birthDate: r.birth_date,
            gender: r.gender,
            highestDegree: r.highest_degree,
            academicTitle: r.academic_title,
            fields: r.fields ?? [],
            workplace: r.workplace,
            position: r.position,
            publicProfile: r.public_profile,
          },
          membership: {
            memberNumber: r.member_number,
            joinedOn: r.joined_on,
            role: r.role,
            status: r.status,
            leftOn: r.left_on,
            endReason: r.end_reason,
          },
        },
      ]),
    );
  }

  private async nextIds(tx: EntityManager, table: string, n: number): Promise<number[]> {
    if (!n) return [];
    const rows = await runQuery<{ id: number }>(
      tx,
      knexOf(tx).raw(`select nextval(pg_get_serial_sequence(?, 'id'))::int as id from generate_series(1, ?)`, [table, n]),
    );
    return rows.map((r) => Number(r.id));
  }

  /**
   * Claims the idempotency key: the stored response when this is a replay, null when the call
   * should run; a key reused with another input rolls back with IDEMPOTENCY_KEY_REUSED.
   */
  private async claim<R>(idem: IdempotencyService, keyId: number, key: string, operation: string, input: unknown, refused: (p: Problems) => R): Promise<R | null> {
    const claim = await idem.claim<R>(keyId, key, operation, input);
    if (claim.kind === 'replay') return claim.response;
    if (claim.kind === 'reused') {
      const r = new Problems();
      r.add(UserErrorCode.IDEMPOTENCY_KEY_REUSED, ['idempotencyKey'], 'This idempotency key was used in the last 24 hours with a different input');
      throw new Refusal(refused(r));
    }
    return null;
  }

  private async runRefusable<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.em.transactional(fn);
    } catch (e) {
      if (e instanceof Refusal) return e.payload as T;
      throw e;
    }
  }

  async upsertMembers(input: UpsertMembersInput): Promise<UpsertMembersResult> {
    const refused = (problems: Problems): UpsertMembersResult => ({ created: 0, updated: 0, unchanged: 0, results: [], userErrors: problems.list });
    const p = new Problems();
    const association = await this.writableAssociation(input.associationCode, p);
    if (!association) return refused(p);
    this.validateIdempotencyKey(p, input.idempotencyKey, true);
    if (input.members.length > MAX_PUSH_ROWS) {
      p.add(UserErrorCode.TOO_MANY_ROWS, ['members'], `A push carries at most ${MAX_PUSH_ROWS} members; this one has ${input.members.length}`);
      return refused(p);
    }
    const rows = input.members.map((raw, k) => this.validateRow(p, raw, k));
    const firstIndex = new Map<string, number>();
    for (const row of rows) {
      if (!row.externalId) continue;
      const seen = firstIndex.get(row.externalId);
      if (seen !== undefined) p.add(UserErrorCode.DUPLICATE, ['members', row.index, 'externalId'], `externalId "${row.externalId}" also appears in members[${seen}]`);
      else firstIndex.set(row.externalId, row.index);
    }
    if (p.any) return refused(p);

    const keyId = this.viewer.keyId as number;
    return this.runRefusable(async (tx) => {
      const idem = new IdempotencyService(tx);
      const replay = await this.claim(idem, keyId, input.idempotencyKey, 'upsertMembers', input, refused);
      if (replay) return replay;
      await this.lockAssociation(tx, association.id);
      const found = await this.existing(tx, association.id, rows.map((r) => r.externalId));

      // New rows need a name; everything else may be omitted.
      const late = new Problems();
      for (const row of rows) {
        if (!found.has(row.externalId) && !row.person.fullName) {
          late.add(UserErrorCode.REQUIRED, ['members', row.index, 'fullName'], 'fullName is required for a new member');
        }
      }
      if (late.any) throw new Refusal(refused(late));

      const creates = rows.filter((r) => !found.has(r.externalId));
      const personIds = await this.nextIds(tx, 'intellectual', creates.length);
      const membershipIds = await this.nextIds(tx, 'membership', creates.length);
      const newPeople: Record<string, unknown>[] = [];
      const newMemberships: Record<string, unknown>[] = [];
      const changedPeople: Record<string, unknown>[] = [];
      const changedMemberships: Record<string, unknown>[] = [];
      const audit: AuditRecord[] = [];
      const results: PushResultData[] = [];
      let created = 0;
      let updated = 0;
      let unchanged = 0;

      for (const row of rows) {
        const old = found.get(row.externalId);
        if (!old) {
          const k = created++;
          const person: PersonValues = { ...PERSON_DEFAULTS, ...row.person } as PersonValues;
          const membership: MembershipValues = { memberNumber: null, joinedOn: null, role: MembershipRole.MEMBER, ...row.membership, status: MembershipStatus.ACTIVE, leftOn: null, endReason: null };
          const iid = personIds[k];
          const mid = membershipIds[k];
          newPeople.push({ id: iid, ...this.personRow(person) });
          newMemberships.push({ id: mid, intellectual_id: iid, external_id: row.externalId, ...this.membershipRow(membership), given_name: givenNameOf(person.fullName), full_name: person.fullName });
          audit.push({ entityType: 'Intellectual', entityId: iid, action: 'CREATE', associationCode: association.code, changes: diff(null, { ...person }) });
          audit.push({ entityType: 'Membership', entityId: mid, action: 'CREATE', associationCode: association.code, changes: diff(null, { externalId: row.externalId, ...membership }) });
          results.push({ externalId: row.externalId, intellectualId: toGlobalId('Intellectual', iid), membershipId: toGlobalId('Membership', mid), outcome: PushOutcome.CREATED });
          continue;
        }
        const person: PersonValues = { ...old.person, ...row.person };
        const reactivate = old.membership.status === MembershipStatus.ENDED;
        const membership: MembershipValues = {
          ...old.membership,
          ...row.membership,
          ...(reactivate ? { status: MembershipStatus.ACTIVE, leftOn: null, endReason: null } : {}),
        };
        const personChanged = !same(person, old.person);
        const membershipChanged = !same(membership, old.membership);
        if (personChanged) {
          changedPeople.push({ id: old.i_id, ...this.personRow(person), name_changed: person.fullName !== old.person.fullName });
          audit.push({ entityType: 'Intellectual', entityId: old.i_id, action: 'UPDATE', associationCode: association.code, changes: diff({ ...old.person }, { ...person }) });
        }
        if (membershipChanged) {
          changedMemberships.push({ id: old.m_id, ...this.membershipRow(membership) });
          audit.push({
            entityType: 'Membership',
            entityId: old.m_id,
            action: reactivate ? 'REACTIVATE' : 'UPDATE',
            associationCode: association.code,
            changes: diff({ ...old.membership }, { ...membership }),
          });
        }
        const outcome = personChanged || membershipChanged ? PushOutcome.UPDATED : PushOutcome.UNCHANGED;
        if (outcome === PushOutcome.UPDATED) updated++;
        else unchanged++;
        results.push({ externalId: row.externalId, intellectualId: toGlobalId('Intellectual', old.i_id), membershipId: toGlobalId('Membership', old.m_id), outcome });
      }

      await this.write(tx, association.id, newPeople, newMemberships, changedPeople, changedMemberships);
      await new AuditService(tx, this.viewer).record(audit);
      const response: UpsertMembersResult = { created, updated, unchanged, results, userErrors: [] };
      await idem.complete(keyId, input.idempotencyKey, response);
      return response;
    });
  }

  private personRow(p: PersonValues): Record<string, unknown> {
    return {
      full_name: p.fullName,
      given_name: givenNameOf(p.fullName),
      email: p.email,
      phone: p.phone,
      birth_date: p.birthDate,
      gender: p.gender,
      highest_degree: p.highestDegree,
      academic_title: p.academicTitle,
      fields: p.fields,
      workplace: p.workplace,
      position: p.position,
      public_profile: p.publicProfile,
    };
  }

  private membershipRow(m: MembershipValues): Record<string, unknown> {
    return { member_number: m.memberNumber, joined_on: m.joinedOn, role: m.role, status: m.status, left_on: m.leftOn, end_reason: m.endReason };
  }

  /** Four statements at most, whatever the number of rows: JSON in, jsonb_to_recordset out. */
  private async write(
    tx: EntityManager,
    associationId: number,
    newPeople: Record<string, unknown>[],
    newMemberships: Record<string, unknown>[],
    changedPeople: Record<string, unknown>[],
    changedMemberships: Record<string, unknown>[],
  ): Promise<void> {
    const knex = knexOf(tx);
    const PERSON_COLS = `id int, full_name text, given_name text, email text, phone text, birth_date date, gender text, highest_degree text,
      academic_title text, fields text[], workplace text, position text, public_profile boolean`;
    const MEMBERSHIP_COLS = `id int, intellectual_id int, external_id text, member_number text, joined_on date, role text, status text,
      left_on date, end_reason text, given_name text, full_name text`;
    if (newPeople.length) {
      await runQuery(
        tx,
        knex.raw(
          `insert into intellectual (id, full_name, given_name, email, phone, birth_date, gender, highest_degree, academic_title, fields, workplace, position, public_profile)
           select id, full_name, given_name, email, phone, birth_date, gender, highest_degree, academic_title, fields, workplace, position, public_profile
           from jsonb_to_recordset(?::jsonb) as x(${PERSON_COLS})`,
          [JSON.stringify(newPeople)],
        ),
      );
      await runQuery(
        tx,
        knex.raw(
          `insert into membership (id, intellectual_id, association_id, external_id, member_number, joined_on, role, status, left_on, end_reason, given_name, full_name)
           select id, intellectual_id, ?, external_id, member_number, joined_on, role, status, left_on, end_reason, given_name, full_name
           from jsonb_to_recordset(?::jsonb) as x(${MEMBERSHIP_COLS})`,
          [associationId, JSON.stringify(newMemberships)],
        ),
      );
    }
    if (changedPeople.length) {
      await runQuery(
        tx,
        knex.raw(
          `update intellectual i set full_name = x.full_name, given_name = x.given_name, email = x.email, phone = x.phone,
             birth_date = x.birth_date, gender = x.gender, highest_degree = x.highest_degree, academic_title = x.academic_title,
             fields = x.fields, workplace = x.workplace, position = x.position, public_profile = x.public_profile,
             version = i.version + 1, updated_at = now()
           from jsonb_to_recordset(?::jsonb) as x(${PERSON_COLS}) where i.id = x.id`,
          [JSON.stringify(changedPeople)],
        ),
      );
      const renamed = changedPeople.filter((r) => r.name_changed);
      if (renamed.length) {
        // Every membership keeps a copy of its member's name, for Vietnamese-ordered pages.
        await runQuery(
          tx,
          knex.raw(
            `update membership m set given_name = x.given_name, full_name = x.full_name, updated_at = now()
             from jsonb_to_recordset(?::jsonb) as x(${PERSON_COLS}) where m.intellectual_id = x.id`,
            [JSON.stringify(renamed)],
          ),
        );
      }
    }
    if (changedMemberships.length) {
      await runQuery(
        tx,
        knex.raw(
          `update membership m set member_number = x.member_number, joined_on = x.joined_on, role = x.role, status = x.status,
             left_on = x.left_on, end_reason = x.end_reason, updated_at = now()
           from jsonb_to_recordset(?::jsonb) as x(${MEMBERSHIP_COLS}) where m.id = x.id`,
          [JSON.stringify(changedMemberships)],
        ),
      );
    }
  }

  async endMemberships(input: EndMembershipsInput): Promise<EndMembershipsResult> {
    const refused = (problems: Problems): EndMembershipsResult => ({ ended: 0, results: [], userErrors: problems.list });
    const p = new Problems();
    const association = await this.writableAssociation(input.associationCode, p);
    if (!association) return refused(p);
    this.validateIdempotencyKey(p, input.idempotencyKey, false);
    if (input.externalIds.length > MAX_PUSH_ROWS) {
      p.add(UserErrorCode.TOO_MANY_ROWS, ['externalIds'], `At most ${MAX_PUSH_ROWS} externalIds per call; this one has ${input.externalIds.length}`);
      return refused(p);
    }
    if (input.externalIds.length === 0) p.add(UserErrorCode.REQUIRED, ['externalIds'], 'externalIds must not be empty');
    const ids = input.externalIds.map((raw, k) => v.text(p, ['externalIds', k], raw, { max: 100, required: true }) ?? '');
    ids.forEach((id, k) => {
      const first = ids.indexOf(id);
      if (id && first !== k) p.add(UserErrorCode.DUPLICATE, ['externalIds', k], `externalId "${id}" also appears at externalIds[${first}]`);
    });
    const leftOn = v.date(p, ['leftOn'], input.leftOn ?? null, { notFuture: true, min: '1900-01-01' }) ?? v.todayInVietnam();
    const reason = v.text(p, ['reason'], input.reason ?? null, { max: 500 }) ?? null;
    if (p.any) return refused(p);

    const keyId = this.viewer.keyId as number;
    return this.runRefusable(async (tx) => {
      const idem = new IdempotencyService(tx);
      if (input.idempotencyKey) {
        const replay = await this.claim(idem, keyId, input.idempotencyKey, 'endMemberships', input, refused);
        if (replay) return replay;
      }
      await this.lockAssociation(tx, association.id);
      const found = await this.existing(tx, association.id, ids);
      const late = new Problems();
      ids.forEach((id, k) => {
        const m = found.get(id);
        if (!m) late.add(UserErrorCode.NOT_FOUND, ['externalIds', k], `No member of ${association.code} has externalId "${id}"`);
        else if (m.membership.status !== MembershipStatus.ENDED && m.membership.joinedOn && leftOn < m.membership.joinedOn) {
          late.add(UserErrorCode.INVALID_DATE, ['leftOn'], `leftOn ${leftOn} is before member "${id}" joined on ${m.membership.joinedOn}`);
        }
      });
      if (late.any) throw new Refusal(refused(late));

      const toEnd = ids.map((id) => found.get(id)!).filter((m) => m.membership.status !== MembershipStatus.ENDED);
      if (toEnd.length) {
        await runQuery(
          tx,
          knexOf(tx).raw(`update membership set status = 'ENDED', left_on = ?, end_reason = ?, updated_at = now() where id = any(?::int[])`, [
            leftOn,
            reason,
            pgArray(toEnd.map((m) => m.m_id)),
          ]),
        );
      }
      await new AuditService(tx, this.viewer).record(
        toEnd.map((m) => ({
          entityType: 'Membership' as const,
          entityId: m.m_id,
          action: 'END' as const,
          associationCode: association.code,
          changes: diff({ status: m.membership.status, leftOn: m.membership.leftOn, endReason: m.membership.endReason }, { status: MembershipStatus.ENDED, leftOn, endReason: reason }),
        })),
      );
      const response: EndMembershipsResult = {
        ended: toEnd.length,
        results: ids.map((id) => {
          const m = found.get(id)!;
          return {
            externalId: id,
            intellectualId: toGlobalId('Intellectual', m.i_id),
            membershipId: toGlobalId('Membership', m.m_id),
            outcome: m.membership.status === MembershipStatus.ENDED ? PushOutcome.ALREADY_ENDED : PushOutcome.ENDED,
          };
        }),
        userErrors: [],
      };
      if (input.idempotencyKey) await idem.complete(keyId, input.idempotencyKey, response);
      return response;
    });
  }
}
