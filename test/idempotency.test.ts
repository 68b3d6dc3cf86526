import { createAssociation, createFederation, createKey } from './factories';
import { startTestHub, TestHub } from './support/harness';
import type { Association } from '../src/modules/association/association.entity';
import type { Federation } from '../src/modules/federation/federation.entity';

/**
 * Idempotency keys (per caller, 24 hours): a replay answers the first response and writes
 * nothing; another input under the same key is refused; concurrent requests with one key write
 * once; and pushes to one association are serialised, so parallel overlapping pushes all succeed.
 */

let t: TestHub;
let admin: { id: number; headers: Record<string, string> };
let federation: Federation;

beforeAll(async () => {
  t = await startTestHub();
  admin = await createKey(t.em(), 'ADMIN');
  federation = await createFederation(t.em());
});
afterAll(() => t.close());

const UPSERT = `mutation($input: UpsertMembersInput!) {
  upsertMembers(input: $input) { created updated unchanged results { externalId intellectualId membershipId outcome } userErrors { code field message } } }`;
const END = `mutation($input: EndMembershipsInput!) {
  endMemberships(input: $input) { ended results { externalId intellectualId membershipId outcome } userErrors { code field message } } }`;

type Row = Record<string, unknown>;
let seq = 0;
const idemKey = (prefix = 'idem') => `${prefix}:${process.pid}.${Date.now()}-${seq++}`;

async function sql<T = Row>(query: string, params: unknown[] = []): Promise<T[]> {
  return t.orm.em.getConnection().execute(query, params);
}

async function counts() {
  const [r] = await sql<{ intellectual: number; membership: number; audit_event: number; idempotency_record: number }>(
    `select (select count(*) from intellectual)::int as intellectual, (select count(*) from membership)::int as membership,
            (select count(*) from audit_event)::int as audit_event, (select count(*) from idempotency_record)::int as idempotency_record`,
  );
  return r;
}

async function stored(associationId: number): Promise<Row[]> {
  return sql(
    `select m.external_id, m.status, m.role, m.updated_at as m_updated_at, i.full_name, i.workplace, i.version, i.updated_at
     from membership m join intellectual i on i.id = m.intellectual_id where m.association_id = ? order by m.external_id`,
    [associationId],
  );
}

const newAssociation = (): Promise<Association> => createAssociation(t.em(), federation);

/** The raw HTTP answer of a push: status and the whole body, for comparing replays byte for byte. */
async function pushRaw(associationCode: string, idempotencyKey: string, members: Row[], headers = admin.headers) {
  const r = await t.gql<any>(UPSERT, { input: { associationCode, idempotencyKey, members } }, headers);
  return { status: r.status, body: r.body, requestId: r.headers.get('x-request-id') };
}

async function push(associationCode: string, idempotencyKey: string, members: Row[], headers = admin.headers) {
  const r = await pushRaw(associationCode, idempotencyKey, members, headers);
  if (r.body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(r.body.errors)}`);
  return r.body.data.upsertMembers as { created: number; updated: number; unchanged: number; results: { externalId: string; outcome: string; intellectualId: string }[]; userErrors: { code: string; field: string[] }[] };
}

const members = (n: number, prefix = 'HV', extra: Row = {}): Row[] =>
  Array.from({ length: n }, (_, k) => ({ externalId: `${prefix}-${k}`, fullName: `Nguyễn Thị Hội Viên ${prefix} ${k}`, email: `${prefix.toLowerCase()}${k}@hoi.example.vn`, ...extra }));

describe('replays', () => {
  it('the same key with the same input answers the first response and writes nothing more', async () => {
    const a = await newAssociation();
    const key = idemKey();
    const rows = members(3);
    const before = await counts();
    const first = await pushRaw(a.code, key, rows);
    expect(first.body.data.upsertMembers).toMatchObject({ created: 3, userErrors: [] });
    const afterFirst = await counts();
    expect(afterFirst).toEqual({ ...before, intellectual: before.intellectual + 3, membership: before.membership + 3, audit_event: before.audit_event + 6, idempotency_record: before.idempotency_record + 1 });
    const snapshot = await stored(a.id);

    for (let k = 0; k < 2; k++) {
      const again = await pushRaw(a.code, key, rows);
      expect(again.status).toBe(200);
      // Identical, CREATED included: it is the first answer, not a second run (which would say UNCHANGED).
      expect(again.body).toEqual(first.body);
      expect(again.requestId).not.toBe(first.requestId);
    }
    expect(await counts()).toEqual(afterFirst);
    expect(await stored(a.id)).toEqual(snapshot);
  });

  it('a replay answers the first response even after the data changed since', async () => {
    const a = await newAssociation();
    const key = idemKey();
    const rows = [{ externalId: 'R-1', fullName: 'Lê Văn An', workplace: 'Viện A' }];
    const first = await pushRaw(a.code, key, rows);
    await push(a.code, idemKey(), [{ externalId: 'R-1', workplace: 'Viện B' }]);
    const snapshot = await stored(a.id);
    const before = await counts();
    const again = await pushRaw(a.code, key, rows);
    expect(again.body).toEqual(first.body);
    // Not re-applied: the later change stays.
    expect(await stored(a.id)).toEqual(snapshot);
    expect(snapshot[0].workplace).toBe('Viện B');
    expect(await counts()).toEqual(before);
  });

  it('a response stored before PushResult.id became intellectualId still replays, with intellectualId', async () => {
    const a = await newAssociation();
    const key = idemKey();
    const rows = members(2);
    const first = await pushRaw(a.code, key, rows);
    // What the hub stored before 2026-12-02: each result's person under `id`.
    const [rec] = await sql<{ response: { results: Row[] } }>(`select response from idempotency_record where idempotency_key = ?`, [key]);
    const legacy = { ...rec.response, results: rec.response.results.map(({ intellectualId, ...r }) => ({ ...r, id: intellectualId })) };
    expect(legacy.results[0]).toHaveProperty('id');
    await sql(`update idempotency_record set response = ?::jsonb where idempotency_key = ?`, [JSON.stringify(legacy), key]);
    const again = await pushRaw(a.code, key, rows);
    expect(again.body).toEqual(first.body);
  });

  it('the input is compared by value: the same members written with keys in another order replay', async () => {
    const a = await newAssociation();
    const key = idemKey();
    const first = await pushRaw(a.code, key, [{ externalId: 'O-1', fullName: 'Lê Văn An', email: 'an@example.vn' }]);
    const before = await counts();
    const again = await pushRaw(a.code, key, [{ email: 'an@example.vn', fullName: 'Lê Văn An', externalId: 'O-1' }]);
    expect(again.body).toEqual(first.body);
    expect(await counts()).toEqual(before);
  });

  it('the same key with another input is refused with IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    const a = await newAssociation();
    const key = idemKey();
    await push(a.code, key, members(2));
    const snapshot = await stored(a.id);
    const before = await counts();
    for (const other of [
      members(2, 'HV', { workplace: 'Khác' }), // a changed value
      members(3), // one more row
      [{ externalId: 'HV-0' }], // fewer fields
    ]) {
      const res = await push(a.code, key, other);
      expect(res).toEqual({ created: 0, updated: 0, unchanged: 0, results: [], userErrors: [expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['idempotencyKey'] })] });
    }
    // Another association is another input too.
    const b = await newAssociation();
    expect((await push(b.code, key, members(2))).userErrors[0].code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await counts()).toEqual(before);
    expect(await stored(a.id)).toEqual(snapshot);
    expect(await stored(b.id)).toEqual([]);
    // The original input still replays.
    expect((await push(a.code, key, members(2))).created).toBe(2);
  });

  it('a refused push does not use up its key: corrected, the same key goes through', async () => {
    const a = await newAssociation();
    const key = idemKey();
    const before = await counts();
    // Refused while validating the rows…
    expect((await push(a.code, key, [{ externalId: 'C-1', fullName: 'Lê Văn An', email: 'bad' }])).userErrors[0].code).toBe('INVALID_EMAIL');
    // …and refused inside the transaction (a new member needs a name).
    expect((await push(a.code, key, [{ externalId: 'C-1', email: 'an@example.vn' }])).userErrors[0]).toMatchObject({ code: 'REQUIRED', field: ['members', '0', 'fullName'] });
    expect(await counts()).toEqual(before);
    const ok = await push(a.code, key, [{ externalId: 'C-1', fullName: 'Lê Văn An', email: 'an@example.vn' }]);
    expect(ok).toMatchObject({ created: 1, userErrors: [] });
  });

  it('endMemberships with a key replays too, and refuses the key with another input', async () => {
    const a = await newAssociation();
    await push(a.code, idemKey(), members(3));
    const key = idemKey('end');
    const input = { associationCode: a.code, externalIds: ['HV-0', 'HV-1'], leftOn: '2024-06-30', reason: 'Chuyển vùng', idempotencyKey: key };
    const first = await t.gql<any>(END, { input }, admin.headers);
    expect(first.body.data.endMemberships).toMatchObject({ ended: 2, userErrors: [] });
    const before = await counts();
    const again = await t.gql<any>(END, { input }, admin.headers);
    // ENDED again, not ALREADY_ENDED: the first answer.
    expect(again.body).toEqual(first.body);
    const other = await t.gql<any>(END, { input: { ...input, externalIds: ['HV-2'] } }, admin.headers);
    expect(other.body.data.endMemberships).toEqual({ ended: 0, results: [], userErrors: [expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED', field: ['idempotencyKey'] })] });
    expect(await counts()).toEqual(before);
    expect((await stored(a.id)).map((r) => r.status)).toEqual(['ENDED', 'ENDED', 'ACTIVE']);
  });
});

describe('concurrent requests with one key', () => {
  it('five at once: exactly one write, five identical answers', async () => {
    const a = await newAssociation();
    const key = idemKey('conc');
    const rows = members(300, 'CC');
    const before = await counts();
    const answers = await Promise.all(Array.from({ length: 5 }, () => pushRaw(a.code, key, rows)));
    for (const r of answers) {
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      expect(r.body).toEqual(answers[0].body);
    }
    expect(answers[0].body.data.upsertMembers).toMatchObject({ created: 300, updated: 0, unchanged: 0, userErrors: [] });
    expect(new Set(answers.map((r) => r.requestId)).size).toBe(5);
    const after = await counts();
    expect(after).toEqual({
      intellectual: before.intellectual + 300,
      membership: before.membership + 300,
      audit_event: before.audit_event + 600,
      idempotency_record: before.idempotency_record + 1,
    });
    // The audit events all come from one request.
    const [ev] = await sql<{ requests: number }>(`select count(distinct request_id)::int as requests from audit_event where association_code = ?`, [a.code]);
    expect(ev.requests).toBe(1);
  });

  it('two at once with one key and different inputs: one writes, the other is told the key was reused', async () => {
    const a = await newAssociation();
    const key = idemKey('conc2');
    const before = await counts();
    const [x, y] = await Promise.all([push(a.code, key, members(200, 'X')), push(a.code, key, members(200, 'Y'))]);
    const outcomes = [x, y].map((r) => (r.userErrors.length ? r.userErrors[0].code : `created ${r.created}`)).sort();
    expect(outcomes).toEqual(['IDEMPOTENCY_KEY_REUSED', 'created 200']);
    const after = await counts();
    expect(after.membership - before.membership).toBe(200);
    expect(after.audit_event - before.audit_event).toBe(400);
  });
});

describe('keys are per caller', () => {
  it('the same key used by two API keys is two independent pushes', async () => {
    const a = await newAssociation();
    const other = await createKey(t.em(), 'ADMIN');
    const own = await createKey(t.em(), 'ASSOCIATION', a);
    const key = idemKey('shared');
    const rows = members(2, 'PC');

    const first = await push(a.code, key, rows, admin.headers);
    expect(first).toMatchObject({ created: 2, unchanged: 0 });
    // Another caller, same key and input: not a replay of the first caller's answer, but a push of its own.
    const second = await push(a.code, key, rows, other.headers);
    expect(second).toMatchObject({ created: 0, unchanged: 2, userErrors: [] });
    // A third caller, same key, another input: not IDEMPOTENCY_KEY_REUSED.
    const third = await push(a.code, key, members(2, 'PC', { position: 'Ủy viên' }), own.headers);
    expect(third).toMatchObject({ created: 0, updated: 2, userErrors: [] });
    const records = await sql<{ key_id: number }>(`select key_id from idempotency_record where idempotency_key = ? order by key_id`, [key]);
    expect(records.map((r) => r.key_id)).toEqual([admin.id, other.id, own.id].sort((p, q) => p - q));
    // Each still replays its own answer.
    expect(await push(a.code, key, rows, other.headers)).toEqual(second);
    expect(await push(a.code, key, rows, admin.headers)).toEqual(first);
  });
});

describe('expiry after 24 hours', () => {
  it('a record 23 hours old still replays; one 25 hours old does not, and the key starts afresh', async () => {
    const a = await newAssociation();
    const key = idemKey('exp');
    const rows = members(2, 'EX');
    const first = await pushRaw(a.code, key, rows);
    expect(first.body.data.upsertMembers.created).toBe(2);
    const age = (hours: number) => sql(`update idempotency_record set created_at = now() - make_interval(hours => ?) where key_id = ? and idempotency_key = ?`, [hours, admin.id, key]);

    await age(23);
    const before = await counts();
    expect((await pushRaw(a.code, key, rows)).body).toEqual(first.body);
    expect((await push(a.code, key, members(1, 'EX'))).userErrors[0].code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await counts()).toEqual(before);

    await age(25);
    // Run again, not replayed: the members exist, so UNCHANGED rather than the first CREATED.
    const rerun = await push(a.code, key, rows);
    expect(rerun).toMatchObject({ created: 0, unchanged: 2, userErrors: [] });
    const [rec] = await sql<{ fresh: boolean; n: number }>(
      `select created_at > now() - interval '1 minute' as fresh, (response->>'unchanged')::int as n from idempotency_record where key_id = ? and idempotency_key = ?`,
      [admin.id, key],
    );
    expect(rec).toEqual({ fresh: true, n: 2 });

    // An expired key may carry another input, and that push writes.
    await age(25);
    const changed = await push(a.code, key, members(2, 'EX', { workplace: 'Viện mới' }));
    expect(changed).toMatchObject({ updated: 2, userErrors: [] });
    expect((await stored(a.id)).map((r) => r.workplace)).toEqual(['Viện mới', 'Viện mới']);
  });
});

describe('pushes to one association are serialised', () => {
  it('20 parallel, overlapping pushes all succeed and leave each externalId exactly once', async () => {
    const a = await newAssociation();
    const before = await counts();
    // Push i carries P-(5i) … P-(5i+29): each externalId is in up to six pushes at once.
    const pushes = Array.from({ length: 20 }, (_, i) =>
      Array.from({ length: 30 }, (_, k) => {
        const n = 5 * i + k;
        return { externalId: `P-${n}`, fullName: `Trần Văn Song Song ${n}`, position: `Đợt ${i}`, publicProfile: n % 2 === 0 };
      }),
    );
    const answers = await Promise.all(pushes.map((rows, i) => pushRaw(a.code, idemKey(`par${i}`), rows)));
    for (const r of answers) {
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.upsertMembers.userErrors).toEqual([]);
    }
    const payloads = answers.map((r) => r.body.data.upsertMembers);
    const distinct = 5 * 19 + 30; // P-0 … P-124
    expect(payloads.reduce((s, p) => s + p.created, 0)).toBe(distinct);
    expect(payloads.reduce((s, p) => s + p.created + p.updated + p.unchanged, 0)).toBe(20 * 30);

    const groups = await sql<{ external_id: string; count: number }>(
      `select external_id, count(*)::int as count from membership where association_id = ? group by 1 order by 1`,
      [a.id],
    );
    expect(groups).toHaveLength(distinct);
    expect(groups.every((g) => g.count === 1)).toBe(true);
    expect(new Set(groups.map((g) => g.external_id))).toEqual(new Set(Array.from({ length: distinct }, (_, n) => `P-${n}`)));
    const after = await counts();
    expect(after.intellectual - before.intellectual).toBe(distinct);
    expect(after.membership - before.membership).toBe(distinct);
    // One person per externalId, and every id answered for it is that person.
    const ids = new Map<string, Set<string>>();
    for (const p of payloads) for (const r of p.results) (ids.get(r.externalId) ?? ids.set(r.externalId, new Set()).get(r.externalId)!).add(r.intellectualId);
    expect([...ids.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set([...ids.values()].map((s) => [...s][0])).size).toBe(distinct);
  });
});

describe('every mutation takes an idempotency key', () => {
  const CREATE = `mutation($input: CreateAssociationInput!) { createAssociation(input: $input) { association { id code name } userErrors { code field } } }`;
  const STATUS = `mutation($input: SetAssociationStatusInput!) { setAssociationStatus(input: $input) { association { id status } userErrors { code } } }`;

  it('createAssociation replays its first answer, writes once, and refuses the key with another input', async () => {
    const key = idemKey('create');
    const code = `ID-${process.pid}-${seq++}`.slice(0, 40).toUpperCase();
    const input = { code, name: 'Hội Khoa học Lịch sử Hồ Chí Minh', federationCode: federation.code, idempotencyKey: key };
    const first = await t.gql(CREATE, { input }, admin.headers);
    expect(first.body.data!.createAssociation.userErrors).toEqual([]);
    const before = await counts();
    const again = await t.gql(CREATE, { input }, admin.headers);
    expect(again.body).toEqual(first.body);
    expect(await counts()).toEqual(before);
    const other = await t.gql(CREATE, { input: { ...input, code: `${code}-B`, name: 'Hội khác' } }, admin.headers);
    expect(other.body.data!.createAssociation.userErrors).toEqual([{ code: 'IDEMPOTENCY_KEY_REUSED', field: ['idempotencyKey'] }]);
    expect(await counts()).toEqual(before);
  });

  it('setAssociationStatus with a malformed key is refused before anything is written', async () => {
    const a = await newAssociation();
    const before = await counts();
    const r = await t.gql(STATUS, { input: { code: a.code, status: 'SUSPENDED', idempotencyKey: 'bad key with spaces' } }, admin.headers);
    expect(r.body.data!.setAssociationStatus.userErrors).toEqual([{ code: 'INVALID' }]);
    expect(await counts()).toEqual(before);
  });
});

describe('expired records are purged', () => {
  it('at start and then periodically: a 25-hour-old record holding a 5,000-row response goes, a fresh one stays', async () => {
    const big = { results: Array.from({ length: 5000 }, (_, k) => ({ externalId: `HV-${k}`, outcome: 'CREATED', note: 'Nguyễn Văn Đức, Hồ Chí Minh' })) };
    const old = idemKey('old');
    const fresh = idemKey('fresh');
    await sql(`insert into idempotency_record (key_id, idempotency_key, operation, request_hash, response, created_at)
               values (?, ?, 'upsertMembers', 'x', ?::jsonb, now() - interval '25 hours'), (?, ?, 'upsertMembers', 'y', ?::jsonb, now() - interval '1 hour')`, [
      admin.id, old, JSON.stringify(big), admin.id, fresh, JSON.stringify(big),
    ]);
    const present = async () => (await sql<{ k: string }>(`select idempotency_key as k from idempotency_record where idempotency_key in (?, ?)`, [old, fresh])).map((r) => r.k).sort();
    expect(await present()).toEqual([fresh, old].sort());
    t.hub.startBackground(); // what the hub does once it is ready; the purge runs at once
    for (let i = 0; i < 600 && (await present()).includes(old); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await present()).toEqual([fresh]);
  });
});
