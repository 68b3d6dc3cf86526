import { createGraph } from './factories';
import { startTestHub, TestHub } from './support/harness';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

const NESTED = `query($c: String) { associations(first: 20, filter: { federationCode: $c }) { totalCount edges { node { code
  federation { code }
  members(first: 10) { totalCount edges { node { role intellectual { fullName
    memberships { totalCount edges { node { association { code } } } } } } } } } } } }`;

describe('no N+1: a fixed number of SQL statements whatever the data size', () => {
  it('associations → members → intellectual → memberships → association: same count on 1× and 10× the data', async () => {
    const em = t.em();
    const small = await createGraph(em, { associations: 3, members: 4 });
    const large = await createGraph(t.em(), { associations: 30, members: 40 });

    const s = await t.gql<any>(NESTED, { c: small.federation.code });
    const l = await t.gql<any>(NESTED, { c: large.federation.code });
    expect(s.body.errors).toBeUndefined();
    expect(l.body.errors).toBeUndefined();

    // The large graph really is bigger on every level the query reads.
    expect(s.body.data.associations.totalCount).toBe(3);
    expect(l.body.data.associations.totalCount).toBe(30);
    expect(l.body.data.associations.edges).toHaveLength(20);
    expect(l.body.data.associations.edges[0].node.members.edges).toHaveLength(10);
    expect(l.body.data.associations.edges[0].node.members.totalCount).toBe(40);
    const m = l.body.data.associations.edges[0].node.members.edges[0].node;
    expect(m.intellectual.memberships.edges[0].node.association.code).toBe(l.body.data.associations.edges[0].node.code);

    expect(l.sql).toBe(s.sql);
    // Levels: associations (+count), federation, members (+count), intellectual, memberships (+count), association.
    const levels = 6;
    expect(l.sql).toBeLessThanOrEqual(levels * 2);
  });
});
