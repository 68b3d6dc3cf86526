import crypto from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Association } from '../../src/modules/association/association.entity';
import { Federation } from '../../src/modules/federation/federation.entity';
import { FederationLevel } from '../../src/modules/federation/federation.enums';
import { Intellectual } from '../../src/modules/intellectual/intellectual.entity';
import { Membership } from '../../src/modules/intellectual/membership.entity';
import { ApiKeyService } from '../../src/modules/key/api-key.service';

/** Factories: each test builds the data it asserts on; codes are unique per call. */

export const uniq = (prefix: string) => `${prefix}-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;

export async function createFederation(em: EntityManager, data: Partial<Federation> = {}): Promise<Federation> {
  const f = em.create(Federation, {
    code: uniq('FED'),
    name: 'Liên hiệp các Hội Khoa học và Kỹ thuật thử nghiệm',
    level: FederationLevel.PROVINCIAL,
    legalBases: [],
    ...data,
  } as never);
  await em.persistAndFlush(f);
  return f;
}

export async function createAssociation(em: EntityManager, federation: Federation, data: Partial<Association> = {}): Promise<Association> {
  const a = em.create(Association, { code: uniq('AS'), name: 'Hội Y học thử nghiệm', federation, fields: ['3.2'], ...data } as never);
  await em.persistAndFlush(a);
  return a;
}

export async function createIntellectual(em: EntityManager, data: Partial<Intellectual> = {}): Promise<Intellectual> {
  const fullName = data.fullName ?? 'Nguyễn Văn Đức';
  const i = em.create(Intellectual, { fullName, publicProfile: true, fields: ['3.2'], ...data } as never);
  await em.persistAndFlush(i);
  return i;
}

export async function createMembership(em: EntityManager, intellectual: Intellectual, association: Association, data: Partial<Membership> = {}): Promise<Membership> {
  const m = em.create(Membership, {
    intellectual,
    association,
    externalId: uniq('HV'),
    ...data,
  } as never);
  await em.persistAndFlush(m);
  return m;
}

/** A federation with `associations` associations of `members` public members each, in bulk. */
export async function createGraph(em: EntityManager, opts: { associations: number; members: number; federation?: Federation }) {
  const federation = opts.federation ?? (await createFederation(em));
  const associations: Association[] = [];
  for (let a = 0; a < opts.associations; a++) {
    associations.push(em.create(Association, { code: uniq('AS'), name: `Hội thử nghiệm ${a}`, federation, fields: ['2.1'] } as never));
  }
  const people: Intellectual[] = [];
  associations.forEach((association, a) => {
    for (let m = 0; m < opts.members; m++) {
      const fullName = `Trần Thị Hội${a} Viên${m}`;
      const person = em.create(Intellectual, { fullName, publicProfile: true } as never);
      people.push(person);
      em.create(Membership, { intellectual: person, association, externalId: `HV-${m}` } as never);
    }
  });
  await em.flush();
  return { federation, associations, people };
}

/** An API key for a role; returns the headers that send it. */
export async function createKey(
  em: EntityManager,
  role: 'ADMIN' | 'ANALYST' | 'ASSOCIATION',
  association?: Association,
): Promise<{ id: number; key: string; headers: Record<string, string> }> {
  const k = await new ApiKeyService(em).create({ role, label: `test ${role.toLowerCase()} ${uniq('K')}`, associationCode: association?.code ?? null });
  return { id: k.id, key: k.key, headers: { authorization: `Bearer ${k.key}` } };
}
