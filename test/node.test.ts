import { createAssociation, createFederation, createIntellectual, createMembership } from './factories';
import { startTestHub, TestHub } from './support/harness';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

const NODE = `query($id: ID!) { node(id: $id) { __typename id
  ... on Federation { code } ... on Association { code } ... on Intellectual { fullName } ... on Membership { externalId } } }`;

describe('node(id)', () => {
  it('fetches every type again by its global id', async () => {
    const em = t.em();
    const f = await createFederation(em, { code: 'NODE-FED' });
    const a = await createAssociation(em, f, { code: 'NODE-AS' });
    const i = await createIntellectual(em, { fullName: 'Hồ Thị Ánh', publicProfile: true });
    const m = await createMembership(em, i, a, { externalId: 'HV-NODE' });
    const d = await t.data<any>(`{ association(code: "NODE-AS") { id federation { id } members { edges { node { id intellectual { id } } } } } }`);
    const ids = [d.association.id, d.association.federation.id, d.association.members.edges[0].node.id, d.association.members.edges[0].node.intellectual.id];
    const seen = [];
    for (const id of ids) seen.push((await t.data<any>(NODE, { id })).node);
    expect(seen.map((n) => n.__typename).sort()).toEqual(['Association', 'Federation', 'Intellectual', 'Membership']);
    expect(seen.find((n) => n.__typename === 'Intellectual').fullName).toBe('Hồ Thị Ánh');
    expect(seen.find((n) => n.__typename === 'Membership').externalId).toBe('HV-NODE');
    expect(seen.every((n, k) => n.id === ids[k])).toBe(true);
    expect(m.id).toBeGreaterThan(0);
  });

  it('answers null for unknown, malformed and hidden ids', async () => {
    const em = t.em();
    const hidden = await createIntellectual(em, { fullName: 'Lê Văn Ẩn', publicProfile: false });
    const hiddenId = Buffer.from(`Intellectual:${hidden.id}`).toString('base64url');
    for (const id of ['nope', Buffer.from('Federation:999999').toString('base64url'), Buffer.from('Secret:1').toString('base64url'), hiddenId]) {
      const r = await t.gql(NODE, { id });
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data!.node).toBeNull();
    }
  });
});
