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
  for (const table of ['federation', 'association', 'intellectual', 'membership']) {
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
    const opts = { intellectuals: PEOPLE, associations: ASSOCIATIONS };
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
    const ok = await runCli(['seed', '--synthetic', '--intellectuals', '500', '--associations', '5'], { DATABASE_URL: d.url });
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/Synthetic data loaded \(seed 1\): federation SYNTHETIC, 5 associations, 500 intellectuals/);
    expect(ok.out).toMatch(/memberships .*100%/); // the progress bar, one line per tenth when not on a terminal
    expect(await count(d.url, `select count(*) n from intellectual`)).toBe(500);

    const bad = await runCli(['seed', '--synthetic', '--intellectuals', 'abc'], { DATABASE_URL: d.url });
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/--intellectuals must be a whole number/);
  });
});
