import type { EntityManager } from '@mikro-orm/postgresql';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import { personName } from './intellectual.rules';
import { MembershipStatus } from './intellectual.enums';
import { MembershipValues, PersonValues } from './membership-push.rows';

/** A stored member of the association: its membership and person, as the push compares them. */
export interface ExistingMember {
  membershipId: number;
  externalId: string;
  intellectualId: number;
  /** The person also has a membership (not ended) in another association. */
  shared: boolean;
  person: PersonValues;
  membership: MembershipValues;
}

export interface NewMember {
  intellectualId: number;
  membershipId: number;
  externalId: string;
  person: PersonValues;
  membership: MembershipValues;
}

const PERSON_COLS = `id int, full_name text, given_name text, email text, phone text, birth_date date, gender text, highest_degree text,
  academic_title text, fields text[], workplace text, position text, public_profile boolean`;
const MEMBERSHIP_COLS = `id int, intellectual_id int, external_id text, member_number text, joined_on date, role text, status text,
  left_on date, end_reason text`;

/** A person's columns; name rules from intellectual.rules.ts, as the entity's hook applies them. */
function personRow(id: number, p: PersonValues): Record<string, unknown> {
  const name = personName(p.fullName);
  return {
    id,
    full_name: name.fullName,
    given_name: name.givenName,
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

function membershipRow(id: number, m: MembershipValues): Record<string, unknown> {
  return { id, member_number: m.memberNumber, joined_on: m.joinedOn, role: m.role, status: m.status, left_on: m.leftOn, end_reason: m.endReason };
}

/**
 * The set-based SQL of member pushes: a handful of statements whatever the number of rows (JSON
 * in, jsonb_to_recordset out). The membership's copy of its member's name is the database's
 * (triggers, see intellectual.rules.ts); versions move on as the ORM moves them (`version + 1`).
 */
export class MembershipPushRepository {
  constructor(private readonly tx: EntityManager) {}

  async existing(associationId: number, externalIds: string[]): Promise<Map<string, ExistingMember>> {
    const rows = await runQuery<Record<string, any>>(
      this.tx,
      knexOf(this.tx).raw(
        `select m.id as m_id, m.external_id, m.member_number, m.joined_on, m.role, m.status, m.left_on, m.end_reason,
                i.id as i_id, i.full_name, i.email, i.phone, i.birth_date, i.gender, i.highest_degree, i.academic_title,
                i.fields, i.workplace, i.position, i.public_profile,
                exists (select 1 from membership o where o.intellectual_id = i.id and o.association_id <> m.association_id and o.status <> ?) as shared
         from membership m join intellectual i on i.id = m.intellectual_id
         where m.association_id = ? and m.external_id = any(?::text[])`,
        [MembershipStatus.ENDED, associationId, pgArray(externalIds)],
      ),
    );
    return new Map(
      rows.map((r) => [
        r.external_id as string,
        {
          membershipId: Number(r.m_id),
          externalId: r.external_id,
          intellectualId: Number(r.i_id),
          shared: r.shared === true,
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

  /** Ids for new rows of a table, from its own sequence (one statement). */
  async nextIds(table: 'intellectual' | 'membership', n: number): Promise<number[]> {
    if (!n) return [];
    const rows = await runQuery<{ id: number }>(
      this.tx,
      knexOf(this.tx).raw(`select nextval(pg_get_serial_sequence(?, 'id'))::int as id from generate_series(1, ?)`, [table, n]),
    );
    return rows.map((r) => Number(r.id));
  }

  async insert(associationId: number, members: NewMember[]): Promise<void> {
    if (!members.length) return;
    const knex = knexOf(this.tx);
    await runQuery(
      this.tx,
      knex.raw(
        `insert into intellectual (id, full_name, given_name, email, phone, birth_date, gender, highest_degree, academic_title, fields, workplace, position, public_profile)
         select id, full_name, given_name, email, phone, birth_date, gender, highest_degree, academic_title, fields, workplace, position, public_profile
         from jsonb_to_recordset(?::jsonb) as x(${PERSON_COLS})`,
        [JSON.stringify(members.map((m) => personRow(m.intellectualId, m.person)))],
      ),
    );
    await runQuery(
      this.tx,
      knex.raw(
        `insert into membership (id, intellectual_id, association_id, external_id, member_number, joined_on, role, status, left_on, end_reason)
         select id, intellectual_id, ?, external_id, member_number, joined_on, role, status, left_on, end_reason
         from jsonb_to_recordset(?::jsonb) as x(${MEMBERSHIP_COLS})`,
        [associationId, JSON.stringify(members.map((m) => ({ ...membershipRow(m.membershipId, m.membership), intellectual_id: m.intellectualId, external_id: m.externalId })))],
      ),
    );
  }

  async updatePeople(people: { id: number; person: PersonValues }[]): Promise<void> {
    if (!people.length) return;
    await runQuery(
      this.tx,
      knexOf(this.tx).raw(
        `update intellectual i set full_name = x.full_name, given_name = x.given_name, email = x.email, phone = x.phone,
           birth_date = x.birth_date, gender = x.gender, highest_degree = x.highest_degree, academic_title = x.academic_title,
           fields = x.fields, workplace = x.workplace, position = x.position, public_profile = x.public_profile,
           version = i.version + 1, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as x(${PERSON_COLS}) where i.id = x.id`,
        [JSON.stringify(people.map((p) => personRow(p.id, p.person)))],
      ),
    );
  }

  async updateMemberships(memberships: { id: number; membership: MembershipValues }[]): Promise<void> {
    if (!memberships.length) return;
    await runQuery(
      this.tx,
      knexOf(this.tx).raw(
        `update membership m set member_number = x.member_number, joined_on = x.joined_on, role = x.role, status = x.status,
           left_on = x.left_on, end_reason = x.end_reason, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as x(${MEMBERSHIP_COLS}) where m.id = x.id`,
        [JSON.stringify(memberships.map((m) => membershipRow(m.id, m.membership)))],
      ),
    );
  }

  async end(membershipIds: number[], leftOn: string, reason: string | null): Promise<void> {
    if (!membershipIds.length) return;
    await runQuery(
      this.tx,
      knexOf(this.tx).raw(`update membership set status = ?, left_on = ?, end_reason = ?, updated_at = now() where id = any(?::int[])`, [
        MembershipStatus.ENDED,
        leftOn,
        reason,
        pgArray(membershipIds),
      ]),
    );
  }
}
