import { getNamedType, GraphQLInterfaceType, isInterfaceType, isObjectType } from 'graphql';
import { createAssociation, createFederation, createIntellectual, createKey, createMembership, uniq } from './factories';
import { GqlResponse, startTestHub, TestHub } from './support/harness';
import { buildSchema } from '../src/schema';
import { toGlobalId } from '../src/common/node-id';
import { FederationLevel } from '../src/modules/federation/federation.enums';
import { MembershipStatus } from '../src/modules/intellectual/intellectual.enums';
import { AssignmentRole, ConsultationStatus, ConsultationVisibility, OpinionStance, PanelRole } from '../src/modules/consultation/consultation.enums';
import { assign, createConsultationRequest, createOpinion, createPolicyDocument, declareConflict, seat } from './factories/consultation';
import { createForum, createPost, createThread } from './factories/forum';
import { ForumStatus, ForumVisibility, PostStance } from '../src/modules/forum/forum.enums';
import { createCongress, createDelegates, createSeat, createTerm } from './factories/governance';
import { DelegateKind, GoverningBodyKind, Office } from '../src/modules/governance/governance.enums';

/**
 * One visibility policy, every path. For every Node type × every role (the public, ANALYST, two
 * association keys, ADMIN) this file reads what the role can see three ways and requires them to
 * agree with each other and with the rules of the README ("Keys, roles and personal data"):
 *
 *  (a) every list whose items are of that type (top-level and nested, paged two at a time);
 *  (b) each list's `totalCount`;
 *  (c) `node(id)` for every row of the type's table, hidden ones included (ids read from SQL).
 *
 * The cases are a table (NODE_CASES): a new Node type, or a new list of one, adds one entry; the
 * first test fails while the schema has a Node type or a connection of Node items with no entry.
 */

let t: TestHub;

// --- roles --------------------------------------------------------------------------------------

type RoleKind = 'PUBLIC' | 'ANALYST' | 'ASSOCIATION' | 'ADMIN';

interface Role {
  name: string;
  kind: RoleKind;
  /** For ASSOCIATION keys: which of the world's associations the key is bound to. */
  bound?: 'A' | 'B';
  headers: Record<string, string>;
  /** Database id of the bound association (filled in once the world exists). */
  associationId?: number;
}

const ROLES: Role[] = [
  { name: 'PUBLIC (no key)', kind: 'PUBLIC', headers: {} },
  { name: 'ANALYST', kind: 'ANALYST', headers: {} },
  { name: 'ASSOCIATION A', kind: 'ASSOCIATION', bound: 'A', headers: {} },
  { name: 'ASSOCIATION B', kind: 'ASSOCIATION', bound: 'B', headers: {} },
  { name: 'ADMIN', kind: 'ADMIN', headers: {} },
];

// --- the database, as SQL sees it ------------------------------------------------------------------

type Row = Record<string, any>;

/** Every row of every Node type's table, read directly (hidden ones too), by type and id. */
type Facts = Record<string, Map<number, Row>>;
let facts: Facts;
/** Rows of link tables the consultation rules read (not Node types). */
const links = { assignments: [] as Row[], requestDocuments: [] as Row[], conflicts: [] as Row[] };
/** Ids of the consultation world's requests. */
const consultation = { reviewed: 0 };

const rowsOf = (type: string): Row[] => [...(facts[type] ?? new Map()).values()];

/** The rules, written from the README rather than from the code. */
const rules = {
  /** Public profiles for everyone; every person for ANALYST and ADMIN; an association key adds its current (not ended) members. */
  seesPerson(role: Role, personId: number): boolean {
    const person = facts.Intellectual.get(personId)!;
    switch (role.kind) {
      case 'ADMIN':
      case 'ANALYST':
        return true;
      case 'PUBLIC':
        return person.public_profile === true;
      case 'ASSOCIATION':
        return person.public_profile === true || rules.currentMemberOf(role, personId);
    }
  },
  /** expertCandidates(requestId): people with a field of the request's, not on its panel, no conflict declared on it. */
  expertCandidate(requestId: number, person: Row): boolean {
    const wanted = facts.ConsultationRequest.get(requestId)!.fields as string[];
    return (
      (person.fields as string[]).some((f) => wanted.includes(f)) &&
      !rowsOf('PanelMember').some((pm) => pm.request_id === requestId && pm.intellectual_id === person.id) &&
      !links.conflicts.some((c) => c.request_id === requestId && c.intellectual_id === person.id)
    );
  },
  currentMemberOf(role: Role, personId: number): boolean {
    return rowsOf('Membership').some((m) => m.intellectual_id === personId && m.association_id === role.associationId && m.status !== MembershipStatus.ENDED);
  },
  /**
   * Memberships of public profiles for everyone; all for ANALYST and ADMIN; an association key adds
   * its own association's memberships of its current members (never another association's record
   * of a non-public person).
   */
  seesMembership(role: Role, m: Row): boolean {
    if (role.kind === 'ADMIN' || role.kind === 'ANALYST') return true;
    if (facts.Intellectual.get(m.intellectual_id)!.public_profile === true) return true;
    return role.kind === 'ASSOCIATION' && m.association_id === role.associationId && rules.currentMemberOf(role, m.intellectual_id);
  },
  /** The audit log: ADMIN all; an association key what concerns it (filed under it, its memberships, its current members). */
  seesAuditEvent(role: Role, e: Row): boolean {
    if (role.kind === 'ADMIN') return true;
    if (role.kind !== 'ASSOCIATION') return false;
    const code = rowsOf('Association').find((a) => a.id === role.associationId)!.code;
    if (e.association_code === code) return true;
    if (e.entity_type === 'Membership') return rowsOf('Membership').some((m) => m.id === e.entity_id && m.association_id === role.associationId);
    if (e.entity_type === 'Intellectual') return rules.currentMemberOf(role, e.entity_id);
    return false;
  },
  /** E-mail, phone, birth date: ADMIN, and the keys of associations the person currently (not ENDED) belongs to. */
  seesPersonalData(role: Role, personId: number): boolean {
    if (role.kind === 'ADMIN') return true;
    if (role.kind !== 'ASSOCIATION') return false;
    return rowsOf('Membership').some((m) => m.intellectual_id === personId && m.association_id === role.associationId && m.status !== MembershipStatus.ENDED);
  },
  /**
   * Consultation (the spec's rules): an association is involved in a request when assigned to it
   * (lead or contributor) or when one of its current (not ended) members sits on its panel.
   */
  involved(role: Role, requestId: number): boolean {
    if (role.kind !== 'ASSOCIATION') return false;
    return (
      links.assignments.some((a) => a.request_id === requestId && a.association_id === role.associationId) ||
      rowsOf('PanelMember').some((pm) => pm.request_id === requestId && rules.currentMemberOf(role, pm.intellectual_id))
    );
  },
  /** ADMIN and ANALYST all; the public PUBLIC requests; an association key PUBLIC ones and those it is involved in. */
  seesRequest(role: Role, requestId: number): boolean {
    if (role.kind === 'ADMIN' || role.kind === 'ANALYST') return true;
    return facts.ConsultationRequest.get(requestId)!.visibility === ConsultationVisibility.PUBLIC || rules.involved(role, requestId);
  },
  /** The inside (panel, opinions): ADMIN, ANALYST, the associations involved; never the public. */
  seesInside(role: Role, requestId: number): boolean {
    return role.kind === 'ADMIN' || role.kind === 'ANALYST' || rules.involved(role, requestId);
  },
  /** A document is public unless every request it is under review in is hidden from the role. */
  seesDocument(role: Role, documentId: number): boolean {
    const requests = links.requestDocuments.filter((l) => l.document_id === documentId).map((l) => l.request_id);
    return requests.length === 0 || requests.some((r) => rules.seesRequest(role, r));
  },
  /** Forums: ADMIN and ANALYST all; association keys every forum past DRAFT; the public PUBLIC forums past DRAFT. */
  seesForum(role: Role, forumId: number): boolean {
    const f = facts.Forum.get(forumId)!;
    if (role.kind === 'ADMIN' || role.kind === 'ANALYST') return true;
    const draft = !f.archived_at && !f.closed_at && new Date(f.closes_at) > new Date() && new Date(f.opens_at) > new Date();
    if (draft) return false;
    return role.kind === 'ASSOCIATION' || f.visibility === ForumVisibility.PUBLIC;
  },
  personalData(role: Role, personId: number) {
    const p = facts.Intellectual.get(personId)!;
    return rules.seesPersonalData(role, personId) ? { email: p.email, phone: p.phone, birthDate: p.birth_date } : { email: null, phone: null, birthDate: null };
  },
};

// --- the table of cases ---------------------------------------------------------------------------

interface RefusedList {
  code: string;
  status: number;
}

interface ListPath {
  /** The type holding the field: 'Query' for a top-level list, else a Node type reached with node(id). */
  on: string;
  field: string;
  /** For a nested list: the database ids of the parents of one of its items (null or []: in no such list). */
  parentOf?: (row: Row) => number | number[] | null;
  /** Arguments every call of the list takes (e.g. a required id), and the rows such a call is about. */
  args?: () => string;
  about?: (row: Row) => boolean;
  /** The list is refused to some roles, but its items are public elsewhere (node(id) may still answer them). */
  itemsSeenElsewhere?: boolean;
  /** Roles that may not call the list at all, and how they are refused. */
  refuses?: (role: Role) => RefusedList | null;
  /**
   * Filtered and reordered forms of the list (other SQL, same policy), walked besides the plain
   * one: the arguments, and which rows of the type they are about.
   */
  variants?: () => { args: string; about: (row: Row) => boolean }[];
}

interface NodeCase {
  type: string;
  /** Fields selected on the type, the same through node(id) and through every list. */
  selection: string;
  /** May this role see this row? */
  visible: (role: Role, row: Row) => boolean;
  /** A short name for a row in failure messages. */
  label?: (row: Row) => string;
  lists: ListPath[];
  /** Problems with one object as this role got it (personal data and the like); empty when right. */
  check?: (role: Role, row: Row, obj: Row) => string[];
}

const EVERYONE = () => true;
const ADMIN_AND_ASSOCIATIONS: ListPath['refuses'] = (role) =>
  role.kind === 'ADMIN' || role.kind === 'ASSOCIATION' ? null : role.kind === 'PUBLIC' ? { code: 'UNAUTHENTICATED', status: 401 } : { code: 'FORBIDDEN', status: 403 };

const samePersonal = (what: string, got: Row, want: Row): string[] =>
  JSON.stringify({ email: got.email, phone: got.phone, birthDate: got.birthDate }) === JSON.stringify(want)
    ? []
    : [`${what}: personal data ${JSON.stringify({ email: got.email, phone: got.phone, birthDate: got.birthDate })}, expected ${JSON.stringify(want)}`];

const NODE_CASES: NodeCase[] = [
  {
    type: 'Federation',
    selection: 'code name level parent { id }',
    visible: EVERYONE,
    label: (r) => r.name,
    lists: [
      {
        on: 'Query',
        field: 'federations',
        variants: () => [
          { args: `filter: { parentCode: ${arg(codes.VN)} }`, about: (r) => facts.Federation.get(r.parent_id)?.code === codes.VN },
          { args: 'filter: { level: NATIONAL }, orderBy: NAME', about: (r) => r.level === 'NATIONAL' },
        ],
      },
      { on: 'Federation', field: 'members', parentOf: (r) => r.parent_id },
    ],
  },
  {
    type: 'Association',
    selection: 'code name status federation { id }',
    visible: EVERYONE,
    label: (r) => r.name,
    lists: [
      {
        on: 'Query',
        field: 'associations',
        variants: () => [
          { args: `filter: { federationCode: ${arg(codes.HCM)} }, orderBy: CODE`, about: (r) => facts.Federation.get(r.federation_id)?.code === codes.HCM },
          { args: 'filter: { search: "ho chi minh" }', about: (r) => fold(r.name).includes('ho chi minh') },
        ],
      },
      { on: 'Federation', field: 'associations', parentOf: (r) => r.federation_id },
      // No federation of this world has merged: every formerAssociations list is empty, for every role.
      { on: 'Federation', field: 'formerAssociations', parentOf: () => null },
    ],
  },
  {
    type: 'Intellectual',
    selection: 'fullName publicProfile email phone birthDate',
    visible: (role, r) => rules.seesPerson(role, r.id),
    label: (r) => r.full_name,
    lists: [
      {
        on: 'Query',
        field: 'intellectuals',
        variants: () => [
          { args: 'orderBy: RECENTLY_ADDED', about: () => true },
          ...(['A', 'B', 'C'] as const).map((k) => ({ args: `filter: { associationCode: ${arg(codes[k])} }`, about: (r: Row) => memberOf(r.id, codes[k]) })),
          { args: `filter: { associationCode: ${arg(codes.A)}, status: ENDED }`, about: (r) => memberOf(r.id, codes.A, MembershipStatus.ENDED) },
          { args: 'filter: { status: LAPSED }', about: (r) => rowsOf('Membership').some((m) => m.intellectual_id === r.id && m.status === MembershipStatus.LAPSED) },
          // Search is other SQL (ranked by similarity): the policy must hold there too.
          { args: 'filter: { search: "duc" }', about: (r) => fold(r.full_name).includes('duc') },
          { args: 'filter: { search: "Thị" }', about: (r) => fold(r.full_name).includes('thi') },
        ],
      },
      {
        on: 'Query',
        field: 'expertCandidates',
        // ADMIN and ANALYST only; people whose fields overlap the request's, not on its panel, no conflict declared on it.
        refuses: (role) => (role.kind === 'ADMIN' || role.kind === 'ANALYST' ? null : role.kind === 'PUBLIC' ? { code: 'UNAUTHENTICATED', status: 401 } : { code: 'FORBIDDEN', status: 403 }),
        itemsSeenElsewhere: true,
        args: () => `requestId: ${arg(toGlobalId('ConsultationRequest', consultation.reviewed))}`,
        about: (r) => rules.expertCandidate(consultation.reviewed, r),
        variants: () => [{ args: 'fields: ["3"]', about: (r) => (r.fields as string[]).some((f) => f === '3' || f.startsWith('3.')) }],
      },
    ],
    check: (role, r, obj) => samePersonal(r.full_name, obj, rules.personalData(role, r.id)),
  },
  {
    type: 'Membership',
    selection: 'externalId status intellectual { id fullName email phone birthDate } association { id }',
    // A membership is shown with its person: visible exactly when the person is.
    visible: (role, r) => rules.seesMembership(role, r),
    label: (r) => `${facts.Intellectual.get(r.intellectual_id)?.full_name} in ${facts.Association.get(r.association_id)?.code} (${r.status})`,
    lists: [
      {
        on: 'Association',
        field: 'members',
        parentOf: (r) => r.association_id,
        variants: () => [
          { args: 'orderBy: RECENTLY_ADDED', about: () => true },
          { args: 'filter: { status: ENDED }', about: (r) => r.status === MembershipStatus.ENDED },
        ],
      },
      {
        on: 'Intellectual',
        field: 'memberships',
        parentOf: (r) => r.intellectual_id,
        variants: () => [{ args: 'filter: { status: ACTIVE }', about: (r) => r.status === MembershipStatus.ACTIVE }],
      },
    ],
    check: (role, r, obj) => [
      ...(obj.intellectual?.id === toGlobalId('Intellectual', r.intellectual_id) ? [] : [`membership ${r.id}: intellectual ${JSON.stringify(obj.intellectual)}`]),
      ...(obj.association?.id === toGlobalId('Association', r.association_id) ? [] : [`membership ${r.id}: association ${JSON.stringify(obj.association)}`]),
      ...samePersonal(`membership ${r.id}'s intellectual`, obj.intellectual ?? {}, rules.personalData(role, r.intellectual_id)),
    ],
  },
  {
    type: 'ConsultationRequest',
    selection: 'title visibility status federation { id }',
    visible: (role, r) => rules.seesRequest(role, r.id),
    label: (r) => `${r.title} (${r.visibility})`,
    lists: [
      {
        on: 'Query',
        field: 'consultationRequests',
        variants: () => [
          { args: 'orderBy: TITLE', about: () => true },
          { args: 'orderBy: DUE_ASC', about: () => true },
          { args: `filter: { associationCode: ${arg(codes.A)} }`, about: (r) => links.assignments.some((a) => a.request_id === r.id && facts.Association.get(a.association_id)?.code === codes.A) },
          { args: 'filter: { search: "phan bien" }', about: (r) => fold(`${r.title} ${r.summary ?? ''}`).includes('phan bien') },
          { args: 'filter: { status: IN_REVIEW }', about: (r) => r.status === ConsultationStatus.IN_REVIEW },
        ],
      },
      {
        on: 'Association',
        field: 'consultationRequests',
        parentOf: (r) => links.assignments.filter((a) => a.request_id === r.id).map((a) => a.association_id),
        variants: () => [{ args: 'orderBy: TITLE, filter: { search: "du an" }', about: (r) => fold(`${r.title} ${r.summary ?? ''}`).includes('du an') }],
      },
    ],
  },
  {
    type: 'PolicyDocument',
    selection: 'title versionLabel sections { number heading }',
    visible: (role, r) => rules.seesDocument(role, r.id),
    label: (r) => r.title,
    lists: [],
  },
  {
    type: 'PanelMember',
    selection: 'role request { id } intellectual { id fullName email phone birthDate }',
    visible: (role, r) => rules.seesInside(role, r.request_id),
    label: (r) => `${facts.Intellectual.get(r.intellectual_id)?.full_name} on ${facts.ConsultationRequest.get(r.request_id)?.title}`,
    lists: [],
    check: (role, r, obj) => [
      ...(obj.request?.id === toGlobalId('ConsultationRequest', r.request_id) ? [] : [`seat ${r.id}: request ${JSON.stringify(obj.request)}`]),
      // The person as node(id) would answer: null when hidden from the role, personal data per the rules.
      ...(rules.seesPerson(role, r.intellectual_id)
        ? obj.intellectual?.id === toGlobalId('Intellectual', r.intellectual_id)
          ? samePersonal(`seat ${r.id}'s intellectual`, obj.intellectual, rules.personalData(role, r.intellectual_id))
          : [`seat ${r.id}: intellectual ${JSON.stringify(obj.intellectual)}, expected the person`]
        : obj.intellectual === null
          ? []
          : [`seat ${r.id}: shows a person hidden from ${role.name}`]),
    ],
  },
  {
    type: 'Opinion',
    selection: 'stance text association { id } author { id fullName email phone birthDate } request { id }',
    visible: (role, r) => rules.seesInside(role, r.request_id),
    label: (r) => `${r.stance} on ${facts.ConsultationRequest.get(r.request_id)?.title}`,
    lists: [
      {
        on: 'ConsultationRequest',
        field: 'opinions',
        parentOf: (r) => r.request_id,
        variants: () => [{ args: 'filter: { stance: OPPOSE }', about: (r) => r.stance === OpinionStance.OPPOSE }],
      },
    ],
    check: (role, r, obj) => {
      if (r.intellectual_id === null) return obj.author === null ? [] : [`opinion ${r.id}: author ${JSON.stringify(obj.author)}`];
      if (!rules.seesPerson(role, r.intellectual_id)) return obj.author === null ? [] : [`opinion ${r.id}: shows an author hidden from ${role.name}`];
      return samePersonal(`opinion ${r.id}'s author`, obj.author ?? {}, rules.personalData(role, r.intellectual_id));
    },
  },
  {
    type: 'AuditEvent',
    selection: 'action entityType entityId associationCode keyLabel',
    visible: (role, r) => rules.seesAuditEvent(role, r),
    label: (r) => `${r.action} ${r.entity_type} ${r.entity_id}`,
    lists: [
      {
        on: 'Query',
        field: 'auditEvents',
        refuses: ADMIN_AND_ASSOCIATIONS,
        variants: () => [
          { args: `filter: { associationCode: ${arg(codes.A)} }`, about: (r) => r.association_code === codes.A },
          { args: 'filter: { entityType: INTELLECTUAL }', about: (r) => r.entity_type === 'Intellectual' },
        ],
      },
    ],
  },
  {
    type: 'Forum',
    selection: 'title status visibility federation { id }',
    visible: (role, r) => rules.seesForum(role, r.id),
    label: (r) => `${r.title} (${r.visibility})`,
    lists: [
      {
        on: 'Query',
        field: 'forums',
        variants: () => [
          { args: 'orderBy: ACTIVITY_DESC', about: () => true },
          { args: 'orderBy: CLOSES_ASC, filter: { visibility: MEMBERS_ONLY }', about: (r) => r.visibility === ForumVisibility.MEMBERS_ONLY },
          { args: 'filter: { search: "can tho" }', about: (r) => fold(`${r.title} ${r.description ?? ''}`).includes('can tho') },
          { args: 'filter: { status: DRAFT }', about: (r) => new Date(r.opens_at) > new Date() },
        ],
      },
    ],
  },
  {
    type: 'ForumThread',
    selection: 'title authorName forum { id } author { id fullName email phone birthDate }',
    visible: (role, r) => rules.seesForum(role, r.forum_id),
    label: (r) => r.title,
    lists: [{ on: 'Forum', field: 'threads', parentOf: (r) => r.forum_id, variants: () => [{ args: 'orderBy: POSTS_DESC', about: () => true }] }],
    check: (role, r, obj) => (r.author_id === null || rules.seesPerson(role, r.author_id) || obj.author === null ? [] : [`thread ${r.id}: shows an author hidden from ${role.name}`]),
  },
  {
    type: 'ForumPost',
    selection: 'hidden body stance authorName thread { id } author { id fullName email phone birthDate } association { id }',
    visible: (role, r) => rules.seesForum(role, r.forum_id),
    label: (r) => `${r.body.slice(0, 30)}${r.hidden_at ? ' (hidden)' : ''}`,
    lists: [
      { on: 'ForumThread', field: 'posts', parentOf: (r) => (r.parent_id === null ? r.thread_id : null) },
      { on: 'ForumPost', field: 'replies', parentOf: (r) => r.parent_id },
      {
        on: 'Query',
        field: 'forumPosts',
        // The world's hidden post is DISAGREE and neither it nor its thread's title says "còn yếu": these variants are about the same posts for every role.
        variants: () => [
          { args: 'filter: { stance: AGREE }', about: (r) => r.stance === PostStance.AGREE },
          { args: 'filter: { search: "con yeu" }', about: (r) => fold(r.body).includes('con yeu') || fold(facts.ForumThread.get(r.thread_id)?.title ?? '').includes('con yeu') },
        ],
      },
    ],
    check: (role, r, obj) => {
      const problems: string[] = [];
      const masked = r.hidden_at !== null && role.kind !== 'ADMIN';
      if (obj.hidden !== (r.hidden_at !== null)) problems.push(`post ${r.id}: hidden ${obj.hidden}`);
      if (masked && (obj.body !== null || obj.stance !== null || obj.authorName !== null || obj.author !== null || obj.association !== null)) problems.push(`post ${r.id}: hidden, but shows ${JSON.stringify(obj)}`);
      if (!masked && obj.body !== r.body) problems.push(`post ${r.id}: body ${JSON.stringify(obj.body)}`);
      if (r.author_id !== null && !rules.seesPerson(role, r.author_id) && obj.author !== null) problems.push(`post ${r.id}: shows an author hidden from ${role.name}`);
      if (obj.author) problems.push(...samePersonal(`post ${r.id}'s author`, obj.author, rules.personalData(role, r.author_id)));
      if (!masked && r.author_id !== null) {
        const person = facts.Intellectual.get(r.author_id)!;
        const named = role.kind !== 'PUBLIC' || person.public_profile === true;
        if (named ? obj.authorName !== person.full_name : !String(obj.authorName).startsWith('Member of ')) problems.push(`post ${r.id}: authorName ${obj.authorName}`);
      }
      return problems;
    },
  },
  // Governance: public throughout; people behind seats and delegates keep their own rules.
  { type: 'Congress', selection: 'ordinal name federation { id }', visible: EVERYONE, label: (r) => r.name, lists: [] },
  {
    type: 'CongressDelegate',
    selection: 'kind personName person { id fullName email phone birthDate } association { id }',
    visible: EVERYONE,
    lists: [{ on: 'Congress', field: 'delegates', parentOf: (r) => r.congress_id }],
    check: (role, r, obj) => personBehind(role, `delegate ${r.id}`, r.intellectual_id, r.association_id, obj.person, obj.personName, ['Representative of ', 'Delegate to ']),
  },
  { type: 'CongressResolution', selection: 'position title', visible: EVERYONE, lists: [] },
  { type: 'Term', selection: 'startsOn endsOn federation { id }', visible: EVERYONE, lists: [] },
  { type: 'GoverningBody', selection: 'kind term { id }', visible: EVERYONE, lists: [] },
  {
    type: 'Seat',
    selection: 'office holderName holder { id fullName email phone birthDate } association { id }',
    visible: EVERYONE,
    lists: [],
    check: (role, r, obj) => personBehind(role, `seat ${r.id}`, r.intellectual_id, r.association_id, obj.holder, obj.holderName, ['Representative of ', 'Member of ']),
  },
];

/**
 * A seat holder or delegate as `role` got it: the person only where the role sees the person (with
 * personal data as granted), the name for any key and for public profiles, else a stand-in.
 */
function personBehind(role: Role, what: string, personId: number, associationId: number | null, person: Row | null, name: string, standIns: string[]): string[] {
  const problems: string[] = [];
  const p = facts.Intellectual.get(personId)!;
  if (!rules.seesPerson(role, personId) && person !== null) problems.push(`${what}: shows a person hidden from ${role.name}`);
  if (rules.seesPerson(role, personId) && person?.id !== toGlobalId('Intellectual', personId)) problems.push(`${what}: person ${JSON.stringify(person)}`);
  if (person) problems.push(...samePersonal(what, person, rules.personalData(role, personId)));
  const named = role.kind !== 'PUBLIC' || p.public_profile === true;
  if (named ? name !== p.full_name : !standIns.some((x) => name.startsWith(x)) || name.includes(p.full_name)) problems.push(`${what}: name ${name} (association ${associationId})`);
  return problems;
}

// --- the world --------------------------------------------------------------------------------------

/** People of the world: who, public or not, and memberships (association → status). */
interface PersonSpec {
  fullName: string;
  publicProfile: boolean;
  in: Partial<Record<'A' | 'B', MembershipStatus>>;
}

const PEOPLE: Record<string, PersonSpec> = {
  duc: { fullName: 'Nguyễn Văn Đức', publicProfile: true, in: { A: MembershipStatus.ACTIVE } },
  minhDuc: { fullName: 'Trần Minh Đức', publicProfile: false, in: { B: MembershipStatus.ACTIVE } },
  nhung: { fullName: 'Trần Thị Hồng Nhung', publicProfile: false, in: { A: MembershipStatus.ACTIVE } },
  vinh: { fullName: 'Lê Quang Vinh', publicProfile: true, in: { B: MembershipStatus.ACTIVE } },
  ha: { fullName: 'Phạm Thị Thu Hà', publicProfile: false, in: { B: MembershipStatus.ACTIVE } },
  // Shared: a current member of both A and B, no public profile.
  thanh: { fullName: 'Hồ Chí Thanh', publicProfile: false, in: { A: MembershipStatus.ACTIVE, B: MembershipStatus.ACTIVE } },
  // Ended by endMemberships below (it starts ACTIVE).
  tuyet: { fullName: 'Võ Thị Ánh Tuyết', publicProfile: false, in: { A: MembershipStatus.ACTIVE } },
  xuan: { fullName: 'Bùi Thị Xuân', publicProfile: false, in: { A: MembershipStatus.ENDED, B: MembershipStatus.ACTIVE } },
  mai: { fullName: 'Lý Thị Mai', publicProfile: false, in: { A: MembershipStatus.LAPSED } },
  khoi: { fullName: 'Đặng Minh Khôi', publicProfile: true, in: { A: MembershipStatus.ENDED } },
  lan: { fullName: 'Đỗ Thị Lan', publicProfile: false, in: {} },
  phat: { fullName: 'Huỳnh Tấn Phát', publicProfile: true, in: {} },
};
/** Pushed through the hub: by A's key into A (not public), by ADMIN into C (public, a namesake of duc). */
const PUSHED = {
  chau: { fullName: 'Ngô Thị Bảo Châu', publicProfile: false },
  duc3: { fullName: 'Nguyễn Văn Đức', publicProfile: true },
};

/** Codes of the world's federations and associations (they are unique per run). */
const codes = { VN: '', HCM: '', A: '', B: '', C: '' };

/** As the hub's search folds names: no diacritics, đ as d, lower case. */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();
const memberOf = (personId: number, code: string, status?: MembershipStatus) =>
  rowsOf('Membership').some((m) => m.intellectual_id === personId && facts.Association.get(m.association_id)?.code === code && (!status || m.status === status));
const arg = (v: string) => JSON.stringify(v);

let n = 0;
const personalOf = (key: string) => {
  n++;
  return { email: `${key}.${n}@example.org`, phone: `0912 345 ${String(100 + n).padStart(3, '0')}`, birthDate: `19${60 + n}-0${(n % 9) + 1}-1${n % 10}` };
};

async function mutate(query: string, input: Row, headers: Record<string, string>): Promise<Row> {
  const data = await t.data<Row>(query, { input }, headers);
  const payload = data[Object.keys(data)[0]];
  expect(payload.userErrors).toEqual([]);
  return payload;
}

async function buildWorld(): Promise<void> {
  const em = t.em();
  const admin = await createKey(em, 'ADMIN');
  const vn = await createFederation(em, { code: uniq('VUSTA'), name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam', level: FederationLevel.NATIONAL });
  const hcm = await createFederation(em, {
    code: uniq('HCM'),
    name: 'Liên hiệp các Hội Khoa học và Kỹ thuật Thành phố Hồ Chí Minh',
    province: 'Thành phố Hồ Chí Minh',
    parent: vn,
  });
  const associations = {
    A: await createAssociation(em, hcm, { code: uniq('YHOC'), name: 'Hội Y học Thành phố Hồ Chí Minh' }),
    B: await createAssociation(em, vn, { code: uniq('DUOC'), name: 'Hội Dược học Việt Nam', fields: ['3.1'] }),
  };
  const externalIds: Record<string, string> = {};
  const people: Record<string, Awaited<ReturnType<typeof createIntellectual>>> = {};
  for (const [key, spec] of Object.entries(PEOPLE)) {
    const person = (people[key] = await createIntellectual(em, { fullName: spec.fullName, publicProfile: spec.publicProfile, ...personalOf(key) }));
    for (const [which, status] of Object.entries(spec.in) as ['A' | 'B', MembershipStatus][]) {
      const externalId = uniq('HV');
      if (which === 'A') externalIds[key] = externalId;
      await createMembership(em, person, associations[which], {
        externalId,
        status,
        joinedOn: '2015-03-26',
        ...(status === MembershipStatus.ENDED ? { leftOn: '2023-12-31', endReason: 'Chuyển công tác' } : {}),
      });
    }
  }

  // Writes through the hub's own mutations, so that the audit log has events of several keys.
  const keyA = await createKey(em, 'ASSOCIATION', associations.A);
  const keyB = await createKey(em, 'ASSOCIATION', associations.B);
  const codeC = uniq('TIN');
  await mutate(
    `mutation($input: CreateAssociationInput!) { createAssociation(input: $input) { association { code } userErrors { code } } }`,
    { code: codeC, name: 'Hội Tin học Thành phố Hồ Chí Minh', federationCode: hcm.code, fields: ['1.2'], joinedOn: '2001-09-02' },
    admin.headers,
  );
  const UPSERT = `mutation($input: UpsertMembersInput!) { upsertMembers(input: $input) { created userErrors { code field message } } }`;
  const push = async (code: string, key: string, p: { fullName: string; publicProfile: boolean }, headers: Record<string, string>) => {
    const r = await mutate(UPSERT, { associationCode: code, idempotencyKey: uniq('policy'), members: [{ externalId: uniq('HV'), ...p, ...personalOf(key) }] }, headers);
    expect(r.created).toBe(1);
  };
  await push(associations.A.code, 'chau', PUSHED.chau, keyA.headers);
  await push(codeC, 'duc3', PUSHED.duc3, admin.headers);
  const ended = await mutate(
    `mutation($input: EndMembershipsInput!) { endMemberships(input: $input) { ended userErrors { code field message } } }`,
    { associationCode: associations.A.code, externalIds: [externalIds.tuyet], leftOn: '2024-06-30', reason: 'Xin thôi' },
    keyA.headers,
  );
  expect(ended.ended).toBe(1);
  const version = (await t.data<Row>(`query($c: String!) { association(code: $c) { version } }`, { c: associations.B.code })).association.version;
  await mutate(
    `mutation($input: UpdateAssociationProfileInput!) { updateAssociationProfile(input: $input) { association { version } userErrors { code } } }`,
    { code: associations.B.code, expectedVersion: version, shortName: 'Hội Dược học' },
    keyB.headers,
  );

  await buildConsultations(em, { vn, hcm }, associations, people);
  await buildForums(em, hcm, associations, people);
  await buildGovernance(em, hcm, associations, people);

  const analyst = await createKey(em, 'ANALYST');
  for (const role of ROLES) {
    if (role.kind === 'ADMIN') role.headers = admin.headers;
    if (role.kind === 'ANALYST') role.headers = analyst.headers;
    if (role.bound) {
      role.headers = (role.bound === 'A' ? keyA : keyB).headers;
      role.associationId = associations[role.bound].id;
    }
  }
  Object.assign(codes, { VN: vn.code, HCM: hcm.code, A: associations.A.code, B: associations.B.code, C: codeC });
}

/**
 * Consultation requests (public and confidential), their documents, panels, conflicts and
 * opinions, arranged so that each way of being involved is there: A leads R1 (public) and has a
 * member (Nhung) on the panel of R2 (confidential, led by B); B has a member (Xuân) on the panel of
 * R3 (confidential), where A's former members (Xuân, Tuyết: ended) give A nothing; R4
 * (confidential) involves nobody; R5 (public, another federation) has A as contributor.
 */
async function buildConsultations(em: ReturnType<TestHub['em']>, feds: { vn: Row; hcm: Row }, associations: { A: Row; B: Row }, people: Record<string, Row>): Promise<void> {
  const A = associations.A as never;
  const B = associations.B as never;
  const p = (k: string) => people[k] as never;
  const r1 = await createConsultationRequest(em, feds.hcm as never, { title: 'Phản biện xã hội Dự thảo Nghị quyết về khoa học và công nghệ', status: ConsultationStatus.IN_REVIEW, fields: ['3.2'] });
  const r2 = await createConsultationRequest(em, feds.hcm as never, {
    title: 'Giám định xã hội Dự án bệnh viện Hồ Chí Minh',
    summary: 'Dự án mật.',
    visibility: ConsultationVisibility.CONFIDENTIAL,
    status: ConsultationStatus.IN_REVIEW,
    dueOn: null,
  });
  const r3 = await createConsultationRequest(em, feds.hcm as never, { title: 'Tư vấn Dự án đường vành đai', summary: null, visibility: ConsultationVisibility.CONFIDENTIAL, status: ConsultationStatus.PANEL_FORMED });
  const r4 = await createConsultationRequest(em, feds.vn as never, { title: 'Phản biện Chiến lược quốc gia', visibility: ConsultationVisibility.CONFIDENTIAL, receivedOn: '2026-07-01' });
  const r5 = await createConsultationRequest(em, feds.vn as never, { title: 'Đề án Đức Hòa', summary: 'Dự án khu công nghiệp.', receivedOn: '2025-12-31', dueOn: '2026-01-15' });
  consultation.reviewed = r1.id;

  await assign(em, r1, A, AssignmentRole.LEAD);
  await assign(em, r2, B, AssignmentRole.LEAD);
  await assign(em, r5, A, AssignmentRole.CONTRIBUTOR);
  await seat(em, r1, p('duc'), PanelRole.CHAIR);
  await seat(em, r1, p('ha'), PanelRole.MEMBER);
  await seat(em, r2, p('nhung'), PanelRole.CHAIR);
  await seat(em, r2, p('thanh'), PanelRole.MEMBER);
  await seat(em, r3, p('xuan'), PanelRole.CHAIR);
  await seat(em, r3, p('tuyet'), PanelRole.MEMBER);
  await seat(em, r4, p('phat'), PanelRole.CHAIR);
  await declareConflict(em, r1, p('vinh'));
  await createOpinion(em, r1, { association: A, stance: OpinionStance.OPPOSE, text: 'Hội Y học không đồng ý.' });
  await createOpinion(em, r1, { association: B, author: p('ha'), stance: OpinionStance.SUPPORT, text: 'Đồng ý.' });
  await createOpinion(em, r1, { association: null, author: p('duc'), stance: OpinionStance.SUPPORT_WITH_CHANGES, text: 'Đồng ý có sửa đổi.' });
  await createOpinion(em, r2, { association: B, author: p('thanh'), stance: OpinionStance.OPPOSE, text: 'Không đồng ý.' });
  await createOpinion(em, r2, { association: B, stance: OpinionStance.NO_OPINION, text: 'Chưa có ý kiến.' });
  await createOpinion(em, r3, { association: B, author: p('xuan'), stance: OpinionStance.SUPPORT, text: 'Đồng ý.' });
  await createOpinion(em, r4, { association: null, author: p('phat'), stance: OpinionStance.OPPOSE, text: 'Phản đối.' });

  await createPolicyDocument(em, { title: 'Dự thảo Nghị quyết', sections: [{ number: '1', text: 'Phạm vi.' }, { number: '2', heading: 'Đối tượng', text: 'Đối tượng áp dụng.' }] }, r1);
  await createPolicyDocument(em, { title: 'Hồ sơ dự án bệnh viện (mật)' }, r4);
  await createPolicyDocument(em, { title: 'Tài liệu chung của hai yêu cầu' }, r2, r5);
  await createPolicyDocument(em, { title: 'Văn bản chưa gắn với yêu cầu nào', sections: [{ number: 'I', text: 'Mở đầu.' }] });
}

/**
 * Forums of every kind for every role: OPEN PUBLIC (about Cần Thơ), OPEN MEMBERS_ONLY, DRAFT, CLOSED;
 * threads and posts written by members of A and B (public and not) and by the federation, a hidden
 * post (DISAGREE) with its replies kept, and replies two deep.
 */
async function buildForums(em: ReturnType<TestHub['em']>, hcm: Row, associations: { A: Row; B: Row }, people: Record<string, Row>): Promise<void> {
  const { document } = await createPolicyDocument(em, { title: 'Dự thảo Kế hoạch chuyển đổi số nông nghiệp thành phố Cần Thơ', sections: [{ number: '1', text: 'Mục tiêu.' }] });
  const { A, B } = associations;
  const open = await createForum(em, hcm as never, document, { title: 'Góp ý chuyển đổi số nông nghiệp Cần Thơ' });
  const members = await createForum(em, hcm as never, document, { title: 'Trao đổi nội bộ về Cần Thơ', visibility: ForumVisibility.MEMBERS_ONLY });
  const draft = await createForum(em, hcm as never, document, { title: 'Diễn đàn sắp mở', status: ForumStatus.DRAFT });
  const closed = await createForum(em, hcm as never, document, { title: 'Diễn đàn đã đóng', status: ForumStatus.CLOSED });
  for (const forum of [open, members, draft, closed]) {
    const t1 = await createThread(em, forum, { title: 'Về hạ tầng số', author: people.duc as never, association: A as never });
    const p1 = await createPost(em, t1, { body: 'Hạ tầng số ở xã còn yếu.', author: people.duc as never, association: A as never, stance: PostStance.AGREE });
    const p2 = await createPost(em, t1, { body: 'Ý kiến bị ẩn.', author: people.nhung as never, association: A as never, stance: PostStance.DISAGREE, hidden: 'Vi phạm nội quy' });
    const r1 = await createPost(em, t1, { body: 'Trả lời ý kiến bị ẩn.', author: people.vinh as never, association: B as never, parent: p2 });
    await createPost(em, t1, { body: 'Liên hiệp hội ghi nhận.', byFederation: true, parent: r1 });
    await createPost(em, t1, { body: 'Đồng ý với ý kiến trên.', author: people.ha as never, association: B as never, parent: p1, stance: PostStance.AGREE });
    const t2 = await createThread(em, forum, { title: 'Thông báo', byFederation: true });
    await createPost(em, t2, { body: 'Hạn góp ý cuối tháng.', byFederation: true });
    await createPost(em, t2, { body: 'Tôi sẽ gửi ý kiến.', author: people.minhDuc as never, association: B as never, stance: PostStance.AGREE });
  }
}

/**
 * A congress of the city federation with its term: delegates and seats held by public and
 * non-public people, for A, for B and for no association.
 */
async function buildGovernance(em: ReturnType<TestHub['em']>, hcm: Row, associations: { A: Row; B: Row }, people: Record<string, Row>): Promise<void> {
  const { A, B } = associations;
  const congress = await createCongress(em, hcm as never, { ordinal: 3, startsOn: '2024-10-10', name: 'Đại hội đại biểu lần thứ III' });
  await em.getKnex()('congress_resolution').insert({ congress_id: congress.id, position: 1, title: 'Nghị quyết Đại hội III', adopted_on: '2024-10-11' });
  const term = await createTerm(em, hcm as never, { startsOn: '2024-10-10', endsOn: '2029-10-09', congress });
  await createDelegates(em, congress, [
    { person: people.duc as never, association: A as never, kind: DelegateKind.ELECTED },
    { person: people.nhung as never, association: A as never, kind: DelegateKind.ELECTED },
    { person: people.ha as never, association: B as never, kind: DelegateKind.EX_OFFICIO },
    { person: people.thanh as never, association: null, kind: DelegateKind.INVITED },
  ]);
  await createSeat(em, term, GoverningBodyKind.EXECUTIVE_COMMITTEE, people.duc as never, { office: Office.PRESIDENT, association: A as never });
  await createSeat(em, term, GoverningBodyKind.STANDING_BOARD, people.duc as never, { office: Office.PRESIDENT });
  await createSeat(em, term, GoverningBodyKind.EXECUTIVE_COMMITTEE, people.nhung as never, { association: A as never });
  await createSeat(em, term, GoverningBodyKind.EXECUTIVE_COMMITTEE, people.minhDuc as never, { association: B as never });
  await createSeat(em, term, GoverningBodyKind.INSPECTION_COMMITTEE, people.thanh as never, { office: Office.INSPECTION_CHAIR });
}

/** Rows as JSON (dates as YYYY-MM-DD, as the API writes them), every column, every row. */
async function readFacts(): Promise<Facts> {
  const out: Facts = {};
  for (const c of NODE_CASES) {
    const table = t.orm.getMetadata().find(c.type)?.tableName;
    if (!table) throw new Error(`Node type ${c.type}: no MikroORM entity of that name (give the case its table)`);
    const rows = await t.orm.em.getConnection().execute<{ r: Row }[]>(`select to_jsonb(x) as r from "${table}" x order by id`);
    out[c.type] = new Map(rows.map(({ r }) => [Number(r.id), r]));
  }
  const conn = t.orm.em.getConnection();
  links.assignments = await conn.execute('select request_id, association_id, role from consultation_assignment');
  links.requestDocuments = await conn.execute('select request_id, document_id from consultation_request_document');
  links.conflicts = await conn.execute('select request_id, intellectual_id from consultation_conflict');
  return out;
}

// --- reading through the API ----------------------------------------------------------------------

/** Small pages, so that paging is part of what is compared. */
const PAGE = 2;

const fragmentOf = (c: NodeCase) => `fragment Item on ${c.type} { ${c.selection} }`;
const CONNECTION = `totalCount pageInfo { hasNextPage endCursor } edges { cursor node { __typename id ...Item } }`;

function listQuery(c: NodeCase, p: ListPath, args: string): string {
  const all = [p.args?.() ?? '', args].filter(Boolean).join(', ');
  const field = `${p.field}(first: ${PAGE}, after: $after${all ? `, ${all}` : ''})`;
  return p.on === 'Query'
    ? `query($after: String) { ${field} { ${CONNECTION} } } ${fragmentOf(c)}`
    : `query($parent: ID!, $after: String) { node(id: $parent) { __typename ... on ${p.on} { ${field} { ${CONNECTION} } } } } ${fragmentOf(c)}`;
}

type Walk = { refused: RefusedList } | { parentHidden: true } | { items: Row[]; totalCounts: number[] };

/** Every page of one list (of one parent), as this role gets it. */
async function walk(role: Role, c: NodeCase, p: ListPath, args: string, parentId?: string): Promise<Walk> {
  const items: Row[] = [];
  const totalCounts: number[] = [];
  let after: string | null = null;
  for (let page = 0; page < 200; page++) {
    const r: GqlResponse<Row> = await t.gql<Row>(listQuery(c, p, args), { after, ...(parentId ? { parent: parentId } : {}) }, role.headers);
    if (r.body.errors?.length) {
      if (page === 0 && r.body.errors.length === 1 && r.body.errors[0].extensions?.code) {
        return { refused: { code: r.body.errors[0].extensions.code, status: r.status } };
      }
      throw new Error(`${role.name}, ${p.on}.${p.field}: ${JSON.stringify(r.body.errors)}`);
    }
    let conn: Row | undefined;
    if (p.on === 'Query') conn = r.body.data![p.field];
    else {
      const parent = r.body.data!.node;
      if (!parent) return { parentHidden: true };
      conn = parent[p.field];
    }
    items.push(...conn!.edges.map((e: Row) => e.node));
    totalCounts.push(conn!.totalCount);
    if (conn!.edges.length > PAGE) throw new Error(`${p.on}.${p.field}: a page of ${conn!.edges.length} for first: ${PAGE}`);
    if (!conn!.pageInfo.hasNextPage) return { items, totalCounts };
    after = conn!.pageInfo.endCursor;
  }
  throw new Error(`${p.on}.${p.field}: more than 200 pages`);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const k = next++;
        out[k] = await fn(items[k]);
      }
    }),
  );
  return out;
}

/** node(id) of every row of the type: the object, or null. */
async function nodesOf(role: Role, c: NodeCase): Promise<Map<number, Row | null>> {
  const q = `query($id: ID!) { node(id: $id) { __typename id ...Item } } ${fragmentOf(c)}`;
  const ids = [...facts[c.type].keys()];
  const got = await mapLimit(ids, 4, async (id) => {
    const r = await t.gql<Row>(q, { id: toGlobalId(c.type, id) }, role.headers);
    if (r.body.errors?.length) throw new Error(`${role.name}: node(${c.type} ${id}): ${JSON.stringify(r.body.errors)}`);
    return r.body.data!.node as Row | null;
  });
  return new Map(ids.map((id, k) => [id, got[k]]));
}

const sorted = (xs: Iterable<string>) => [...xs].sort();
/** The database id in a global id ("Type:42", base64url). */
const idOf = (globalId: string) => Number(Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]);

// --- the tests ------------------------------------------------------------------------------------------

beforeAll(async () => {
  t = await startTestHub();
  await buildWorld();
  facts = await readFacts();
});
afterAll(() => t.close());

describe('the policy table covers the schema', () => {
  const schema = buildSchema();
  const node = schema.getType('Node') as GraphQLInterfaceType;

  it('has exactly one case per Node type', () => {
    expect(isInterfaceType(node)).toBe(true);
    const inSchema = schema.getPossibleTypes(node).map((x) => x.name);
    const missing = inSchema.filter((name) => !NODE_CASES.some((c) => c.type === name));
    const stale = NODE_CASES.map((c) => c.type).filter((name) => !inSchema.includes(name));
    // A Node type with no case here has no visibility test: add its entry to NODE_CASES.
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
    expect(new Set(NODE_CASES.map((c) => c.type)).size).toBe(NODE_CASES.length);
  });

  it('has every connection of Node items among the lists it walks', () => {
    const nodeTypes = new Set(schema.getPossibleTypes(node).map((x) => x.name));
    const inSchema: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const returned = getNamedType(field.type);
        if (!isObjectType(returned) || !returned.getFields().edges) continue;
        const edge = getNamedType(returned.getFields().edges.type);
        const item = isObjectType(edge) ? edge.getFields().node : undefined;
        if (item && nodeTypes.has(getNamedType(item.type).name)) inSchema.push(`${getNamedType(item.type).name}: ${type.name}.${field.name}`);
      }
    }
    const walked = new Set(NODE_CASES.flatMap((c) => c.lists.map((p) => `${c.type}: ${p.on}.${p.field}`)));
    expect(sorted(walked)).toEqual(sorted(inSchema));
  });
});

describe('the world', () => {
  it('is what the rules are about (names per role, as a person reads the README)', async () => {
    const names = (role: Role, test: (role: Role, id: number) => boolean) =>
      rowsOf('Intellectual')
        .filter((p) => test(role, p.id))
        .map((p) => p.full_name)
        .sort((x: string, y: string) => x.localeCompare(y, 'vi'));
    const byName = (...keys: string[]) =>
      keys.map((k) => (PEOPLE[k] ?? PUSHED[k as keyof typeof PUSHED]).fullName).sort((x, y) => x.localeCompare(y, 'vi'));
    const everyone = byName(...Object.keys(PEOPLE), ...Object.keys(PUSHED));
    const publicOnes = ['duc', 'vinh', 'khoi', 'phat', 'duc3'];
    const [pub, analyst, a, b, admin] = ROLES;

    expect(names(pub, rules.seesPerson)).toEqual(byName(...publicOnes));
    expect(names(analyst, rules.seesPerson)).toEqual(everyone);
    expect(names(admin, rules.seesPerson)).toEqual(everyone);
    // Its current members (lapsed mai included; not tuyet or xuan, whose memberships in A ended), and the public.
    expect(names(a, rules.seesPerson)).toEqual(byName(...publicOnes, 'nhung', 'thanh', 'mai', 'chau'));
    expect(names(b, rules.seesPerson)).toEqual(byName(...publicOnes, 'minhDuc', 'ha', 'thanh', 'xuan'));

    expect(names(pub, rules.seesPersonalData)).toEqual([]);
    expect(names(analyst, rules.seesPersonalData)).toEqual([]);
    expect(names(admin, rules.seesPersonalData)).toEqual(everyone);
    // Current members only: not tuyet, xuan or khoi, whose memberships in A ended.
    expect(names(a, rules.seesPersonalData)).toEqual(byName('duc', 'nhung', 'thanh', 'mai', 'chau'));
    expect(names(b, rules.seesPersonalData)).toEqual(byName('minhDuc', 'vinh', 'ha', 'thanh', 'xuan'));

    // Every person holds personal data, so null means "hidden", never "unknown".
    for (const p of rowsOf('Intellectual')) expect([p.email, p.phone, p.birth_date].every((v) => typeof v === 'string')).toBe(true);
    const statuses = rowsOf('Membership').map((m) => m.status);
    for (const s of [MembershipStatus.ACTIVE, MembershipStatus.LAPSED, MembershipStatus.ENDED]) expect(statuses).toContain(s);
    expect(rowsOf('Federation').length).toBeGreaterThanOrEqual(2);
    expect(rowsOf('Association').length).toBeGreaterThanOrEqual(3);
    // Consultation: who sees which request, and whose inside (R1 public led by A; R2 confidential led by B, A's Nhung on its
    // panel; R3 confidential, B's Xuân on its panel, A's members there ended; R4 confidential, nobody; R5 public).
    const requests = (test: (role: Role, id: number) => boolean, role: Role) =>
      rowsOf('ConsultationRequest')
        .filter((r) => test(role, r.id))
        .map((r) => r.title.split(' ').slice(0, 3).join(' '))
        .sort();
    const [r1, r2, r3, r4, r5] = ['Phản biện xã', 'Giám định xã', 'Tư vấn Dự', 'Phản biện Chiến', 'Đề án Đức'];
    expect(requests(rules.seesRequest, pub)).toEqual([r1, r5].sort());
    expect(requests(rules.seesRequest, a)).toEqual([r1, r2, r5].sort());
    expect(requests(rules.seesRequest, b)).toEqual([r1, r2, r3, r5].sort());
    expect(requests(rules.seesRequest, analyst)).toEqual([r1, r2, r3, r4, r5].sort());
    expect(requests(rules.seesInside, pub)).toEqual([]);
    expect(requests(rules.seesInside, a)).toEqual([r1, r2, r5].sort());
    expect(requests(rules.seesInside, b)).toEqual([r1, r2, r3].sort());
    // Writes of three keys (ADMIN, A, B) are in the log.
    expect(new Set(rowsOf('AuditEvent').map((e) => e.key_id)).size).toBeGreaterThanOrEqual(3);
  });
});

describe.each(ROLES.map((r) => [r.name, r] as const))('%s', (_name, role) => {
  it.each(NODE_CASES.map((c) => [c.type, c] as const))('%s: node(id), every list and every count agree with the rules', async (_type, c) => {
    const problems: string[] = [];
    const label = (id: number) => (facts[c.type].has(id) ? `${c.type} ${id} (${c.label?.(facts[c.type].get(id)!) ?? ''})` : `${c.type} ${id} (not in the database)`);

    // (c) node(id) of every row, hidden ones included.
    const nodes = await nodesOf(role, c);
    const seen = new Set<number>();
    for (const [id, obj] of nodes) {
      if (!obj) continue;
      seen.add(id);
      if (obj.__typename !== c.type || obj.id !== toGlobalId(c.type, id)) problems.push(`node(${label(id)}) answered ${obj.__typename} ${obj.id}`);
      for (const p of c.check?.(role, facts[c.type].get(id)!, obj) ?? []) problems.push(`node(id): ${p}`);
    }
    const expected = new Set([...facts[c.type].values()].filter((r) => c.visible(role, r)).map((r) => Number(r.id)));
    const shownButHidden = [...seen].filter((id) => !expected.has(id)).map(label);
    const hiddenButVisible = [...expected].filter((id) => !seen.has(id)).map(label);
    if (shownButHidden.length) problems.push(`node(id) shows what the rules hide: ${shownButHidden.join('; ')}`);
    if (hiddenButVisible.length) problems.push(`node(id) hides what the rules show: ${hiddenButVisible.join('; ')}`);

    // (a) and (b): every list of the type; each item as node(id) answers it.
    for (const { p, args, about } of c.lists.flatMap((p) => [{ args: '', about: () => true }, ...(p.variants?.() ?? [])].map((v) => ({ p, ...v })))) {
      const path = `${p.on}.${p.field}${args ? `(${args})` : ''}`;
      const refusal = p.refuses?.(role) ?? null;
      // Items by parent: one group for a top-level list.
      const groups = new Map<number | null, number[]>();
      const rows = [...facts[c.type].values()].filter(about).filter(p.about ?? (() => true));
      if (p.on === 'Query') groups.set(null, rows.map((r) => Number(r.id)));
      else {
        for (const parentId of facts[p.on].keys()) groups.set(parentId, []);
        for (const r of rows) {
          for (const parentId of [p.parentOf!(r) ?? []].flat()) groups.get(Number(parentId))?.push(Number(r.id));
        }
      }
      for (const [parentId, ids] of groups) {
        const where = parentId === null ? path : `${path} of ${p.on} ${parentId}`;
        const result = await walk(role, c, p, args, parentId === null ? undefined : toGlobalId(p.on, parentId));
        if ('refused' in result) {
          if (!refusal) problems.push(`${where}: refused with ${JSON.stringify(result.refused)}`);
          else if (JSON.stringify(result.refused) !== JSON.stringify(refusal)) problems.push(`${where}: refused with ${JSON.stringify(result.refused)}, expected ${JSON.stringify(refusal)}`);
          // What the role may not list, it may not fetch one by one either.
          const fetched = ids.filter((id) => nodes.get(id)).map(label);
          if (fetched.length && !p.itemsSeenElsewhere) problems.push(`${where} is refused but node(id) answers ${fetched.join('; ')}`);
          continue;
        }
        if (refusal) problems.push(`${where}: answered, expected ${JSON.stringify(refusal)}`);
        if ('parentHidden' in result) {
          // Nothing of a hidden parent is reachable through it; its items must be hidden too, or another list shows them.
          continue;
        }
        const listed = result.items.map((o) => o.id as string);
        const wanted = ids.filter((id) => nodes.get(id)).map((id) => toGlobalId(c.type, id));
        if (new Set(listed).size !== listed.length) problems.push(`${where}: an item listed twice across pages`);
        if (JSON.stringify(sorted(listed)) !== JSON.stringify(sorted(wanted))) {
          const extra = listed.filter((g) => !wanted.includes(g)).map((g) => label(idOf(g)));
          const absent = wanted.filter((g) => !listed.includes(g)).map((g) => label(idOf(g)));
          problems.push(
            `${where}: the list and node(id) disagree; listed, but null by id or not what the list is about: [${extra.join('; ')}]; ` +
              `non-null by id and what the list is about, but not listed: [${absent.join('; ')}]`,
          );
        }
        if (new Set(result.totalCounts).size > 1) problems.push(`${where}: totalCount changed between pages: ${result.totalCounts.join(', ')}`);
        if (result.totalCounts[0] !== listed.length) problems.push(`${where}: totalCount ${result.totalCounts[0]}, items ${listed.length}`);
        for (const item of result.items) {
          const id = idOf(item.id);
          const byId = nodes.get(id);
          if (byId && JSON.stringify(item) !== JSON.stringify(byId)) problems.push(`${where}: ${label(id)} differs from node(id): ${JSON.stringify(item)} vs ${JSON.stringify(byId)}`);
          if (facts[c.type].has(id)) for (const q of c.check?.(role, facts[c.type].get(id)!, item) ?? []) problems.push(`${where}: ${q}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
