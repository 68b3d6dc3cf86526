import { Client } from 'pg';
import { seedSynthetic, SyntheticResult } from '../src/db/seed/synthetic';
import { FIELDS } from '../src/modules/field/field.data';
import { createTestDatabase, TestDatabase } from './support/db';
import { runCli } from './support/process';

/**
 * The synthetic generator (`seed --synthetic`), called directly on small numbers: determinism,
 * counts, integrity, plausibility, and that the bulk load leaves the schema (indexes, foreign
 * keys, sequences) as it found it. One test runs the built CLI.
 */

jest.setTimeout(180_000);

const PEOPLE = 2_000;
const ASSOCIATIONS = 12;
const REQUESTS = 150;
const OPINIONS = 1_500;

async function sql<T extends Record<string, unknown> = Record<string, any>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** md5 over every row of each table in id order, timestamps left out (they are the load's now()). */
async function fingerprint(url: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ['federation', 'association', 'intellectual', 'membership', 'consultation_request', 'consultation_transition', 'consultation_panel_member', 'consultation_opinion', 'policy_document_section', 'consultation_recommendation']) {
    const [row] = await sql(
      url,
      `select md5(coalesce(string_agg((to_jsonb(t) - 'created_at' - 'updated_at')::text, E'\\n' order by id), '')) as h from ${table} t`,
    );
    out[table] = row!.h;
  }
  return out;
}

/** Index names and definitions of the tables the load touches, and their foreign keys. */
async function schemaOf(url: string): Promise<{ indexes: string[]; constraints: string[] }> {
  const indexes = await sql(url, `select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename in ('intellectual', 'membership', 'association') order by 1`);
  const constraints = await sql(
    url,
    `select conname, pg_get_constraintdef(k.oid) as def from pg_constraint k join pg_class t on t.oid = k.conrelid
      where t.relname in ('intellectual', 'membership', 'association') order by 1`,
  );
  return { indexes: indexes.map((r) => `${r.indexname}: ${r.indexdef}`), constraints: constraints.map((r) => `${r.conname}: ${r.def}`) };
}

const count = async (url: string, text: string, params: unknown[] = []) => Number((await sql(url, text, params))[0]!.n);

describe('synthetic data', () => {
  let a: TestDatabase; // seed 1
  let b: TestDatabase; // seed 1 again
  let c: TestDatabase; // seed 2, under a VUSTA federation
  let result: SyntheticResult;
  let schemaBefore: Awaited<ReturnType<typeof schemaOf>>;
  const phases = new Set<string>();

  beforeAll(async () => {
    [a, b, c] = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
    schemaBefore = await schemaOf(a.url);
    await sql(c.url, `insert into federation (code, name, level, legal_bases) values ('VUSTA', 'Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam', 'NATIONAL', '[]')`);
    const opts = { intellectuals: PEOPLE, associations: ASSOCIATIONS, requests: REQUESTS, opinions: OPINIONS };
    [result] = await Promise.all([
      seedSynthetic(a.url, { ...opts, seed: 1, progress: (phase) => phases.add(phase) }),
      seedSynthetic(b.url, { ...opts, seed: 1 }),
      seedSynthetic(c.url, { ...opts, seed: 2 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((d) => d.drop()));
  });

  it('is the same for the same seed and different for another', async () => {
    const [fa, fb, fc] = await Promise.all([fingerprint(a.url), fingerprint(b.url), fingerprint(c.url)]);
    expect(fb).toEqual(fa);
    expect(fc.intellectual).not.toBe(fa.intellectual);
    expect(fc.membership).not.toBe(fa.membership);
    expect(fc.association).not.toBe(fa.association);
    expect(fc.consultation_request).not.toBe(fa.consultation_request);
    expect(fc.consultation_opinion).not.toBe(fa.consultation_opinion);
  });

  it('reports and holds the right numbers', async () => {
    expect(result).toMatchObject({ federationCode: 'SYNTHETIC', associations: ASSOCIATIONS, intellectuals: PEOPLE });
    expect(result.seconds).toBeGreaterThan(0);
    expect(await count(a.url, `select count(*) n from intellectual where demo`)).toBe(PEOPLE);
    expect(await count(a.url, `select count(*) n from association a join federation f on f.id = a.federation_id where f.code = 'SYNTHETIC' and a.demo`)).toBe(ASSOCIATIONS);
    expect(await count(a.url, `select count(*) n from membership`)).toBe(result.memberships);
    // Everyone in one association; ~15% in a second, ~3% in a third.
    expect(result.memberships).toBeGreaterThan(PEOPLE * 1.12);
    expect(result.memberships).toBeLessThan(PEOPLE * 1.26);
    const perPerson = await sql(a.url, `select n, count(*)::int as people from (select count(*) n from membership group by intellectual_id) x group by n order by n`);
    expect(perPerson.map((r) => Number(r.n))).toEqual([1, 2, 3]);
    expect(perPerson.reduce((s, r) => s + r.people, 0)).toBe(PEOPLE);
    expect(await count(a.url, `select count(*) n from (select 1 from membership group by intellectual_id, association_id having count(*) > 1) x`)).toBe(0);
    expect([...phases]).toEqual(expect.arrayContaining(['associations', 'intellectuals', 'memberships', 'indexes']));
  });

  it('creates the SYNTHETIC federation under VUSTA when there is one', async () => {
    const [fa] = await sql(a.url, `select name, level, parent_id, demo, legal_bases from federation where code = 'SYNTHETIC'`);
    expect(fa).toEqual({ name: 'Liên hiệp các Hội Khoa học và Kỹ thuật (dữ liệu tổng hợp)', level: 'PROVINCIAL', parent_id: null, demo: true, legal_bases: [] });
    const [fc] = await sql(c.url, `select p.code from federation f join federation p on p.id = f.parent_id where f.code = 'SYNTHETIC'`);
    expect(fc).toEqual({ code: 'VUSTA' });
  });

  it('names associations "Hội … (tổng hợp) số k" with valid fields', async () => {
    const rows = await sql(a.url, `select code, name, fields, status from association order by id`);
    expect(rows.map((r) => r.code)).toEqual(Array.from({ length: ASSOCIATIONS }, (_, i) => `SYN-${String(i + 1).padStart(4, '0')}`));
    for (const r of rows) {
      expect(r.name).toMatch(/^Hội .+ \(tổng hợp\) số \d+$/u);
      expect(r.fields.length).toBeGreaterThan(0);
    }
    const codes = new Set(FIELDS.map((f) => f.code));
    const used = await sql(a.url, `select distinct unnest(fields) as code from intellectual union select distinct unnest(fields) from association`);
    for (const { code } of used) expect(codes.has(code)).toBe(true);
  });

  it('keeps external ids unique per association', async () => {
    expect(await count(a.url, `select count(*) n from (select 1 from membership group by association_id, external_id having count(*) > 1) x`)).toBe(0);
    expect(await count(a.url, `select count(*) n from membership where external_id !~ '^HV-[0-9]{7}$'`)).toBe(0);
  });

  it('stores NFC names, the given name as the last word, and copies both onto memberships', async () => {
    expect(await count(a.url, `select count(*) n from intellectual where full_name is not nfc normalized or full_name !~ '^[^ ]+( [^ ]+)+$'`)).toBe(0);
    expect(await count(a.url, `select count(*) n from intellectual where given_name <> regexp_replace(full_name, '^.* ', '')`)).toBe(0);
    expect(
      await count(a.url, `select count(*) n from membership m join intellectual i on i.id = m.intellectual_id where m.full_name <> i.full_name or m.given_name <> i.given_name`),
    ).toBe(0);
  });

  it('keeps dates, degrees, titles and statuses plausible', async () => {
    expect(await count(a.url, `select count(*) n from intellectual where birth_date not between '1945-01-01' and '2000-12-31'`)).toBe(0);
    expect(await count(a.url, `select count(*) n from membership where joined_on not between '1995-01-01' and '2025-06-30'`)).toBe(0);
    expect(await count(a.url, `select count(*) n from membership where (status = 'ENDED') <> (left_on is not null) or left_on <= joined_on or left_on > '2025-06-30'`)).toBe(0);
    expect(await count(a.url, `select count(*) n from intellectual where academic_title <> 'NONE' and highest_degree not in ('TS', 'TSKH')`)).toBe(0);
    expect(await count(a.url, `select count(*) n from intellectual where email !~ '^[a-z0-9.]+@example\\.org$' or phone !~ '^09[0-9]{8}$'`)).toBe(0);
    const [g] = await sql(a.url, `select avg((gender = 'MALE')::int)::float as male, avg((gender = 'FEMALE')::int)::float as female, avg(public_profile::int)::float as public from intellectual`);
    expect(g!.male).toBeGreaterThan(0.47);
    expect(g!.female).toBeGreaterThan(0.42);
    expect(g!.public).toBeGreaterThan(0.35);
    expect(g!.public).toBeLessThan(0.45);
    const [s] = await sql(a.url, `select avg((status = 'ACTIVE')::int)::float as active from membership`);
    expect(s!.active).toBeGreaterThan(0.84);
    expect(s!.active).toBeLessThan(0.92);
  });

  it('gives every association one president, drawn from its active members', async () => {
    const rows = await sql(a.url, `select association_id, count(*) filter (where role = 'PRESIDENT')::int as presidents,
      count(*) filter (where role <> 'MEMBER' and role <> 'HONORARY' and status <> 'ACTIVE')::int as inactive_officers
      from membership group by association_id`);
    expect(rows).toHaveLength(ASSOCIATIONS);
    for (const r of rows) expect(r).toMatchObject({ presidents: 1, inactive_officers: 0 });
  });

  it('loads consultation requests across years, kinds and statuses, with their documents and history', async () => {
    expect(result.consultationRequests).toBe(REQUESTS);
    expect(await count(a.url, `select count(*) n from consultation_request r join federation f on f.id = r.federation_id where f.code = 'SYNTHETIC' and r.demo`)).toBe(REQUESTS);
    expect(await count(a.url, `select count(distinct extract(year from received_on)) n from consultation_request`)).toBeGreaterThanOrEqual(8);
    expect(await count(a.url, `select count(distinct kind) n from consultation_request`)).toBe(3);
    expect(await count(a.url, `select count(distinct status) n from consultation_request`)).toBeGreaterThanOrEqual(8);
    expect(await count(a.url, `select count(*) n from consultation_request where visibility = 'CONFIDENTIAL'`)).toBeGreaterThan(0);
    // A self-initiated request starts at ACCEPTED: never REQUESTED, SCREENING or DECLINED.
    expect(await count(a.url, `select count(*) n from consultation_request where origin = 'SELF_INITIATED' and status in ('REQUESTED', 'SCREENING', 'DECLINED')`)).toBe(0);
    // Every request has a document (its first at position 1) with 3 to 8 numbered sections.
    expect(await count(a.url, `select count(*) n from consultation_request r where not exists (select 1 from consultation_request_document d where d.request_id = r.id and d.position = 1)`)).toBe(0);
    const sections = await sql(a.url, `select min(n)::int lo, max(n)::int hi from (select count(*) n from policy_document_section group by document_id) x`);
    expect(sections[0]!.lo).toBeGreaterThanOrEqual(3);
    expect(sections[0]!.hi).toBeLessThanOrEqual(8);
    // History: from null (creation) to the current status, each move from the status before.
    const broken = await count(
      a.url,
      `select count(*) n from consultation_request r where
         (select t."to" from consultation_transition t where t.request_id = r.id order by t.id desc limit 1) is distinct from r.status
         or (select t."from" from consultation_transition t where t.request_id = r.id order by t.id limit 1) is not null
         or (select t."to" from consultation_transition t where t.request_id = r.id order by t.id limit 1) <> (case r.origin when 'SELF_INITIATED' then 'ACCEPTED' else 'REQUESTED' end)`,
    );
    expect(broken).toBe(0);
    expect(await count(a.url, `select count(*) n from consultation_transition t where t.note is null and (t."to" in ('DECLINED', 'WITHDRAWN') or (t."to" = 'CLOSED' and t."from" = 'REPORT_SUBMITTED'))`)).toBe(0);
  });

  it('assigns a lead, forms panels with one chair from the lead association, and reports as the lifecycle says', async () => {
    // One lead per assigned request, none before acceptance; associations of the federation.
    expect(await count(a.url, `select count(*) n from consultation_request r where r.status not in ('REQUESTED', 'SCREENING', 'DECLINED') and (select count(*) from consultation_assignment x where x.request_id = r.id and x.role = 'LEAD') <> 1`)).toBe(0);
    expect(await count(a.url, `select count(*) n from consultation_assignment x join consultation_request r on r.id = x.request_id where r.status in ('REQUESTED', 'SCREENING', 'DECLINED')`)).toBe(0);
    expect(await count(a.url, `select count(*) n from consultation_assignment x join association s on s.id = x.association_id join consultation_request r on r.id = x.request_id where s.federation_id <> r.federation_id`)).toBe(0);
    // Panels of 3 to 7 with one chair, once PANEL_FORMED; current members of the lead association.
    const panels = await sql(a.url, `select count(*)::int n, count(*) filter (where role = 'CHAIR')::int chairs from consultation_panel_member group by request_id`);
    expect(panels.length).toBeGreaterThan(0);
    for (const p of panels) expect(p).toEqual({ n: expect.any(Number), chairs: 1 });
    expect(Math.min(...panels.map((p) => p.n))).toBeGreaterThanOrEqual(3);
    expect(Math.max(...panels.map((p) => p.n))).toBeLessThanOrEqual(7);
    expect(await count(a.url, `select count(*) n from consultation_request r where r.status in ('PANEL_FORMED', 'IN_REVIEW', 'REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED') and not exists (select 1 from consultation_panel_member p where p.request_id = r.id and p.role = 'CHAIR')`)).toBe(0);
    expect(
      await count(
        a.url,
        `select count(*) n from consultation_panel_member p join consultation_assignment x on x.request_id = p.request_id and x.role = 'LEAD'
          where not exists (select 1 from membership m where m.intellectual_id = p.intellectual_id and m.association_id = x.association_id and m.status <> 'ENDED')`,
      ),
    ).toBe(0);
    // Submitted reports are dated; an answered one has an outcome on every recommendation.
    expect(await count(a.url, `select count(*) n from consultation_request r where r.status in ('REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED') and not exists (select 1 from consultation_report p where p.request_id = r.id and p.submitted_on >= r.received_on)`)).toBe(0);
    expect(await count(a.url, `select count(*) n from consultation_recommendation x join consultation_request r on r.id = x.request_id where r.status = 'RESPONSE_RECEIVED' and x.outcome is null`)).toBe(0);
    expect(await count(a.url, `select count(*) n from consultation_recommendation x join consultation_request r on r.id = x.request_id where r.status not in ('RESPONSE_RECEIVED', 'CLOSED') and x.outcome is not null`)).toBe(0);
  });

  it('loads the opinions asked for, only on requests that went into review, panel members’ through the lead association', async () => {
    expect(result.opinions).toBe(OPINIONS);
    expect(await count(a.url, `select count(*) n from consultation_opinion`)).toBe(OPINIONS);
    expect(await count(a.url, `select count(*) n from consultation_opinion o join consultation_request r on r.id = o.request_id where r.status not in ('IN_REVIEW', 'REPORT_SUBMITTED', 'RESPONSE_RECEIVED', 'CLOSED')`)).toBe(0);
    expect(await count(a.url, `select count(*) n from consultation_opinion o where o.intellectual_id is not null and not exists (select 1 from consultation_panel_member p where p.request_id = o.request_id and p.intellectual_id = o.intellectual_id)`)).toBe(0);
    expect(await count(a.url, `select count(*) n from consultation_opinion o where o.intellectual_id is not null`)).toBeGreaterThan(0);
    // A section, when given, is one of the request's documents'.
    expect(
      await count(
        a.url,
        `select count(*) n from consultation_opinion o join policy_document_section s on s.id = o.section_id
          where not exists (select 1 from consultation_request_document d where d.request_id = o.request_id and d.document_id = s.document_id)`,
      ),
    ).toBe(0);
    expect(await count(a.url, `select count(*) n from consultation_opinion where section_id is not null`)).toBeGreaterThan(0);
  });

  it('puts back every index and foreign key, and moves the sequences past the new ids', async () => {
    expect(await schemaOf(a.url)).toEqual(schemaBefore);
    const [person] = await sql(a.url, `insert into intellectual (full_name, given_name) values ('Nguyễn Văn Mới', 'Mới') returning id`);
    expect(person!.id).toBe(PEOPLE + 1);
    const [assoc] = await sql(a.url, `insert into association (code, name, federation_id) select 'NEW', 'Hội mới', id from federation limit 1 returning id`);
    expect(assoc!.id).toBe(ASSOCIATIONS + 1);
    const [m] = await sql(a.url, `insert into membership (intellectual_id, association_id, external_id, given_name, full_name) values ($1, $2, 'X1', 'Mới', 'Nguyễn Văn Mới') returning id`, [person!.id, assoc!.id]);
    expect(m!.id).toBe(result.memberships + 1);
  });

  it('refuses a second load into the same database and leaves it untouched', async () => {
    const before = await fingerprint(b.url);
    await expect(seedSynthetic(b.url, { intellectuals: 10, associations: 1, seed: 3 })).rejects.toThrow(/SYNTHETIC exists already/);
    expect(await fingerprint(b.url)).toEqual(before);
    expect(await schemaOf(b.url)).toEqual(schemaBefore);
  });
});

describe('npm run cli -- seed --synthetic', () => {
  let d: TestDatabase;
  beforeAll(async () => {
    d = await createTestDatabase();
  });
  afterAll(() => d?.drop());

  it('loads the data and prints a summary; a bad number exits with status 2', async () => {
    const ok = await runCli(['seed', '--synthetic', '--intellectuals', '500', '--associations', '5', '--requests', '40', '--opinions', '200'], { DATABASE_URL: d.url });
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/Synthetic data loaded \(seed 1\): federation SYNTHETIC, 5 associations, 500 intellectuals, [\d,]+ memberships, 40 consultation requests, 200 opinions/);
    expect(ok.out).toMatch(/memberships .*100%/); // the progress bar, one line per tenth when not on a terminal
    expect(await count(d.url, `select count(*) n from intellectual`)).toBe(500);

    const bad = await runCli(['seed', '--synthetic', '--intellectuals', 'abc'], { DATABASE_URL: d.url });
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/--intellectuals must be a whole number/);
    const badRequests = await runCli(['seed', '--synthetic', '--requests', '-1'], { DATABASE_URL: d.url });
    expect(badRequests.code).toBe(2);
  });
});
