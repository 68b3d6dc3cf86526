import { createAssociation, createFederation, createIntellectual, createMembership } from './factories';
import { startTestHub, TestHub } from './support/harness';

let t: TestHub;
let code: string;
beforeAll(async () => {
  t = await startTestHub();
  const em = t.em();
  const f = await createFederation(em, { name: 'Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Hồ Chí Minh thử nghiệm' });
  const a = await createAssociation(em, f, { name: 'Hội Cơ khí – Điện Đồng Tháp' });
  code = a.code;
  for (const fullName of ['Nguyễn Văn Đức', 'Nguyễn Văn Dục', 'Trần Đức Anh', 'Lê Thị Duc', 'Phạm Minh Quang', 'Hồ Chí Thanh', 'Nguyễn Thị Hương']) {
    await createMembership(em, await createIntellectual(em, { fullName }), a);
  }
  await createIntellectual(em, { fullName: 'Nguyễn Văn Đức Ẩn', publicProfile: false });
});
afterAll(() => t.close());

const SEARCH = `query($q: String!, $first: Int, $after: String) { intellectuals(filter: { search: $q }, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { fullName } } } }`;
const names = async (q: string) => ((await t.data<any>(SEARCH, { q, first: 50 })).intellectuals.edges as any[]).map((e) => e.node.fullName);

describe('search without diacritics', () => {
  it('finds "Nguyễn Văn Đức" from "nguyen van duc", best match first', async () => {
    const found = await names('nguyen van duc');
    expect(found.slice(0, 2).sort()).toEqual(['Nguyễn Văn Dục', 'Nguyễn Văn Đức']);
    // With diacritics given, the exact spelling ranks first.
    expect((await names('Nguyễn Văn Đức'))[0]).toBe('Nguyễn Văn Đức');
    expect((await names('Nguyễn Văn Dục'))[0]).toBe('Nguyễn Văn Dục');
    expect(found).not.toContain('Nguyễn Văn Đức Ẩn'); // not public
  });

  it('"Đức" finds "Duc", and d and đ match either way', async () => {
    expect((await names('Đức')).sort()).toEqual(['Lê Thị Duc', 'Nguyễn Văn Dục', 'Nguyễn Văn Đức', 'Trần Đức Anh'].sort());
    expect((await names('duc')).sort()).toEqual((await names('ĐỨC')).sort());
    expect(await names('đuc')).toEqual(expect.arrayContaining(['Lê Thị Duc']));
  });

  it('is case-insensitive and matches substrings; wildcards are literal', async () => {
    expect(await names('HỒ CHÍ')).toEqual(['Hồ Chí Thanh']);
    expect(await names('minh qu')).toEqual(['Phạm Minh Quang']);
    expect(await names('n_uyen')).toEqual([]);
  });

  it('pages through ranked results without repeats', async () => {
    const first = await t.data<any>(SEARCH, { q: 'nguyen', first: 2 });
    expect(first.intellectuals.totalCount).toBe(3);
    const next = await t.data<any>(SEARCH, { q: 'nguyen', first: 2, after: first.intellectuals.pageInfo.endCursor });
    const all = [...first.intellectuals.edges, ...next.intellectuals.edges].map((e: any) => e.node.fullName);
    expect(new Set(all).size).toBe(3);
    expect(next.intellectuals.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses terms shorter than 2 or longer than 100 characters, or without a letter or digit', async () => {
    for (const q of ['a', ' ', 'x'.repeat(101), '%%', '-- ..']) {
      const r = await t.gql(SEARCH, { q });
      expect(r.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    }
  });

  it('counts the characters left once punctuation folds to spaces: "a%", "đ%" and "Đ" are too short, "ab" and "Đứ" are not', async () => {
    const refusal = async (q: string) => {
      const r = await t.gql<any>(SEARCH, { q });
      return { q, code: r.body.errors?.[0]?.extensions?.code ?? null, message: r.body.errors?.[0]?.message ?? null, data: r.body.data ?? null };
    };
    // A hostile caller pads one letter with LIKE's wildcards or other punctuation, which folds to spaces.
    for (const q of ['a%', 'đ%', 'Đ', '%a%', '_a', 'a .', ' Đ ', 'Ồ!', 'a\u0301\u0323', '%%', '—Đ—', '"đ"']) {
      const r = await refusal(q);
      expect({ q, code: r.code, data: r.data }).toEqual({ q, code: 'BAD_USER_INPUT', data: null });
    }
    expect((await refusal('a%')).message).toMatch(/at least 2 characters besides punctuation/);
    expect((await refusal('%%')).message).toMatch(/a letter or a digit/);
    // Two letters (or a letter and a digit, or letters apart) are enough, diacritics or not.
    for (const q of ['ab', 'Đứ', 'đu', 'a b', 'a%b', 'ồ1']) expect(await refusal(q)).toMatchObject({ q, code: null });
    expect((await names('Đứ')).sort()).toEqual(['Lê Thị Duc', 'Nguyễn Văn Dục', 'Nguyễn Văn Đức', 'Trần Đức Anh'].sort());
    expect(await names('%a%b')).toEqual([]); // "a b": nobody; the % are spaces, not wildcards
    // The same rule for associations and federations.
    for (const list of ['associations', 'federations']) {
      const r = await t.gql<any>(`query($q: String!) { ${list}(filter: { search: $q }) { totalCount } }`, { q: 'đ%' });
      expect({ list, code: r.body.errors?.[0]?.extensions?.code }).toEqual({ list, code: 'BAD_USER_INPUT' });
    }
  });

  it('searches associations and federations the same way', async () => {
    const d = await t.data<any>(`{ associations(filter: { search: "co khi dien dong thap" }) { edges { node { code } } }
      federations(filter: { search: "ho chi minh" }) { edges { node { name } } } }`);
    expect(d.associations.edges.map((e: any) => e.node.code)).toEqual([code]);
    expect(d.federations.edges.map((e: any) => e.node.name)).toEqual(['Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh Hồ Chí Minh thử nghiệm']);
  });

  it('the query plan uses the trigram index', async () => {
    const conn = t.orm.em.getConnection();
    const plan = await conn.transactional(async (trx) => {
      await conn.execute('set local enable_seqscan = off', [], 'run', trx);
      return conn.execute<{ 'QUERY PLAN': string }[]>(
        `explain select id from intellectual i where i.search_name like '%' || btrim(f_fold('Nguyễn Văn Đức')) || '%'`,
        [],
        'all',
        trx,
      );
    });
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('intellectual_search_trgm_idx');
  });
});
