import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { runMutation } from '../../common/mutation';
import { countPushRows, scopeOfEm } from '../../common/request-scope';
import { toGlobalId } from '../../common/node-id';
import { Problems, UserError, UserErrorCode } from '../../common/user-errors';
import * as v from '../../common/validate';
import { associationLock, stillWritable, writableAssociation } from '../association/association.policy';
import { diff } from '../audit/audit.service';
import { MembershipRole, MembershipStatus } from './intellectual.enums';
import type { Intellectual } from './intellectual.entity';
import { IntellectualPolicy } from './intellectual.policy';
import { EndMembershipsInput, UpsertMembersInput } from './membership-push.inputs';
import { ExistingMember, MembershipPushRepository, NewMember } from './membership-push.repository';
import { CleanRow, MAX_PUSH_ROWS, MembershipValues, PERSON_DEFAULTS, PersonValues, validateExternalIds, validateMemberRows } from './membership-push.rows';
import { PushOutcome } from './membership-push.types';

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

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const resultOf = (externalId: string, intellectualId: number, membershipId: number, outcome: PushOutcome): PushResultData => ({
  externalId,
  intellectualId: toGlobalId('Intellectual', intellectualId),
  membershipId: toGlobalId('Membership', membershipId),
  outcome,
});

/** The input names of the person's values, for error paths. */
const INPUT_NAME: Record<keyof PersonValues, string> = {
  fullName: 'fullName',
  email: 'email',
  phone: 'phone',
  birthDate: 'birthDate',
  gender: 'gender',
  highestDegree: 'degree',
  academicTitle: 'academicTitle',
  fields: 'fields',
  workplace: 'workplace',
  position: 'position',
  publicProfile: 'publicProfile',
};

/**
 * The rules for a row that names a stored member:
 * - an ended membership is re-admitted only explicitly, with a joinedOn after the day it ended
 *   (otherwise MEMBERSHIP_ENDED: pushing an old list again must not bring a former member's
 *   personal data back to the association);
 * - a person who also belongs to another association is theirs too: one association's key may
 *   not change the person's values (PERSON_SHARED, per field), nor switch a public profile on;
 *   switching it off (withdrawing consent) is allowed. ADMIN may change them.
 */
function checkExistingRow(p: Problems, row: CleanRow, old: ExistingMember, mayWritePerson: boolean): void {
  if (old.membership.status === MembershipStatus.ENDED) {
    const joinedOn = row.membership.joinedOn;
    if (!joinedOn || !old.membership.leftOn || joinedOn <= old.membership.leftOn) {
      p.add(
        UserErrorCode.MEMBERSHIP_ENDED,
        ['members', row.index, 'joinedOn'],
        `Member "${row.externalId}" left on ${old.membership.leftOn ?? 'an unknown date'}: to admit them again, send a joinedOn after that day`,
      );
    }
  }
  if (!old.shared || mayWritePerson) return;
  for (const [name, value] of Object.entries(row.person) as [keyof PersonValues, unknown][]) {
    if (same(value, old.person[name])) continue;
    if (name === 'publicProfile' && value === false) continue; // withdrawing consent is always allowed
    p.add(
      UserErrorCode.PERSON_SHARED,
      ['members', row.index, INPUT_NAME[name]],
      `${INPUT_NAME[name]} of member "${row.externalId}" cannot be changed by one association: the person also belongs to another association`,
    );
  }
}

/**
 * Pushes from association apps: members created or updated by (association, externalId), and
 * memberships ended. Rows are checked first (membership-push.rows.ts), then written set-based
 * (membership-push.repository.ts) through the write pipeline (common/mutation.ts).
 */
export class MembershipPushService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  upsertMembers(input: UpsertMembersInput): Promise<UpsertMembersResult> {
    // The rows the work wrote, counted once committed (a replayed or refused push wrote none).
    let written: PushResultData[] = [];
    return runMutation(this.em, this.viewer, {
      operation: 'upsertMembers',
      roles: ['ADMIN', 'ASSOCIATION'],
      what: 'Writing members',
      input,
      idempotencyKey: input.idempotencyKey,
      idempotencyRequired: true,
      refused: (userErrors): UpsertMembersResult => ({ created: 0, updated: 0, unchanged: 0, results: [], userErrors }),
      validate: async (p, em) => {
        const association = await writableAssociation(em, this.viewer, input.associationCode, p, ['associationCode']);
        return { association: association!, rows: association ? validateMemberRows(p, input.members) : [] };
      },
      locks: ({ association }) => [associationLock(association.id)],
      work: async (w, { association, rows }) => {
        const gone = await stillWritable(w.tx, association, ['associationCode']);
        if (gone) w.refuse(gone);
        const repo = new MembershipPushRepository(w.tx);
        const found = await repo.existing(association.id, rows.map((r) => r.externalId));

        const late = new Problems();
        for (const row of rows) {
          const old = found.get(row.externalId);
          // New rows need a name; everything else may be omitted.
          if (!old && !row.person.fullName) late.add(UserErrorCode.REQUIRED, ['members', row.index, 'fullName'], 'fullName is required for a new member');
          if (old) checkExistingRow(late, row, old, IntellectualPolicy.canWrite(w.viewer, { id: old.intellectualId } as Intellectual));
        }
        if (late.any) w.refuse(late);

        const creates = rows.filter((r) => !found.has(r.externalId));
        const personIds = await repo.nextIds('intellectual', creates.length);
        const membershipIds = await repo.nextIds('membership', creates.length);
        const inserts: NewMember[] = [];
        const changedPeople: { id: number; person: PersonValues }[] = [];
        const changedMemberships: { id: number; membership: MembershipValues }[] = [];
        const results: PushResultData[] = [];
        let updated = 0;
        let unchanged = 0;

        for (const row of rows) {
          const old = found.get(row.externalId);
          if (!old) {
            const k = inserts.length;
            const person: PersonValues = { ...PERSON_DEFAULTS, ...row.person } as PersonValues;
            const membership: MembershipValues = { memberNumber: null, joinedOn: null, role: MembershipRole.MEMBER, ...row.membership, status: MembershipStatus.ACTIVE, leftOn: null, endReason: null };
            const [iid, mid] = [personIds[k], membershipIds[k]];
            inserts.push({ intellectualId: iid, membershipId: mid, externalId: row.externalId, person, membership });
            w.audit(
              { entityType: 'Intellectual', entityId: iid, action: 'CREATE', associationCode: association.code, changes: diff(null, { ...person }) },
              { entityType: 'Membership', entityId: mid, action: 'CREATE', associationCode: association.code, changes: diff(null, { externalId: row.externalId, ...membership }) },
            );
            results.push(resultOf(row.externalId, iid, mid, PushOutcome.CREATED));
            continue;
          }
          const person: PersonValues = { ...old.person, ...row.person };
          // Re-admission (checked above: a joinedOn after the day the member left).
          const reactivate = old.membership.status === MembershipStatus.ENDED;
          const membership: MembershipValues = {
            ...old.membership,
            ...row.membership,
            ...(reactivate ? { status: MembershipStatus.ACTIVE, leftOn: null, endReason: null } : {}),
          };
          const personChanged = !same(person, old.person);
          const membershipChanged = !same(membership, old.membership);
          if (personChanged) {
            changedPeople.push({ id: old.intellectualId, person });
            w.audit({ entityType: 'Intellectual', entityId: old.intellectualId, action: 'UPDATE', associationCode: association.code, changes: diff({ ...old.person }, { ...person }) });
          }
          if (membershipChanged) {
            changedMemberships.push({ id: old.membershipId, membership });
            w.audit({
              entityType: 'Membership',
              entityId: old.membershipId,
              action: reactivate ? 'REACTIVATE' : 'UPDATE',
              associationCode: association.code,
              changes: diff({ ...old.membership }, { ...membership }),
            });
          }
          const outcome = personChanged || membershipChanged ? PushOutcome.UPDATED : PushOutcome.UNCHANGED;
          if (outcome === PushOutcome.UPDATED) updated++;
          else unchanged++;
          results.push(resultOf(row.externalId, old.intellectualId, old.membershipId, outcome));
        }

        await repo.insert(association.id, inserts);
        await repo.updatePeople(changedPeople);
        await repo.updateMemberships(changedMemberships);
        written = results;
        return { created: inserts.length, updated, unchanged, results, userErrors: [] };
      },
    }).then((r) => (countPushRows(scopeOfEm(this.em), written), r));
  }

  endMemberships(input: EndMembershipsInput): Promise<EndMembershipsResult> {
    let written: PushResultData[] = [];
    return runMutation(this.em, this.viewer, {
      operation: 'endMemberships',
      roles: ['ADMIN', 'ASSOCIATION'],
      what: 'Writing members',
      input,
      idempotencyKey: input.idempotencyKey,
      refused: (userErrors): EndMembershipsResult => ({ ended: 0, results: [], userErrors }),
      validate: async (p, em) => {
        const association = await writableAssociation(em, this.viewer, input.associationCode, p, ['associationCode']);
        const ids = association ? validateExternalIds(p, input.externalIds) : [];
        if (!association || input.externalIds.length > MAX_PUSH_ROWS) return null!; // refused: p has the problem
        const leftOn = v.date(p, ['leftOn'], input.leftOn ?? null, { notFuture: true, min: '1900-01-01' }) ?? v.todayInVietnam();
        const reason = v.text(p, ['reason'], input.reason ?? null, { max: 500 }) ?? null;
        return { association, ids, leftOn, reason };
      },
      locks: ({ association }) => [associationLock(association.id)],
      work: async (w, { association, ids, leftOn, reason }) => {
        const gone = await stillWritable(w.tx, association, ['associationCode']);
        if (gone) w.refuse(gone);
        const repo = new MembershipPushRepository(w.tx);
        const found = await repo.existing(association.id, ids);
        const late = new Problems();
        ids.forEach((id, k) => {
          const m = found.get(id);
          if (!m) late.add(UserErrorCode.NOT_FOUND, ['externalIds', k], `No member of ${association.code} has externalId "${id}"`);
          else if (m.membership.status !== MembershipStatus.ENDED && m.membership.joinedOn && leftOn < m.membership.joinedOn) {
            late.add(UserErrorCode.INVALID_DATE, ['leftOn'], `leftOn ${leftOn} is before member "${id}" joined on ${m.membership.joinedOn}`);
          }
        });
        if (late.any) w.refuse(late);

        const members = ids.map((id) => found.get(id) as ExistingMember);
        const toEnd = members.filter((m) => m.membership.status !== MembershipStatus.ENDED);
        await repo.end(toEnd.map((m) => m.membershipId), leftOn, reason);
        w.audit(
          ...toEnd.map((m) => ({
            entityType: 'Membership' as const,
            entityId: m.membershipId,
            action: 'END' as const,
            associationCode: association.code,
            changes: diff({ status: m.membership.status, leftOn: m.membership.leftOn, endReason: m.membership.endReason }, { status: MembershipStatus.ENDED, leftOn, endReason: reason }),
          })),
        );
        written = members.map((m) => resultOf(m.externalId, m.intellectualId, m.membershipId, m.membership.status === MembershipStatus.ENDED ? PushOutcome.ALREADY_ENDED : PushOutcome.ENDED));
        return { ended: toEnd.length, results: written, userErrors: [] };
      },
    }).then((r) => (countPushRows(scopeOfEm(this.em), written), r));
  }
}
