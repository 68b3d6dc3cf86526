import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { requireRole, Viewer } from '../../common/auth';
import { badInput, ErrorCode, HubError } from '../../common/errors';
import { groupByParent, hydrate, PARENT, readColumns } from '../../common/hydrate';
import { expectGlobalId } from '../../common/node-id';
import { fetchPage, Page, VI_COLLATION } from '../../common/pagination';
import { rankedSort, searchTerm, whereNameMatches, withSearchRank } from '../../common/search';
import { countRows, entityPage, knexOf, nestedCounts, nestedPages, pgArray, runQuery } from '../../common/sql';
import { todayInVietnam } from '../../common/validate';
import { Association } from '../association/association.entity';
import { AssociationPolicy } from '../association/association.policy';
import { expandFieldCode, isFieldCode } from '../field/field.data';
import { Intellectual } from '../intellectual/intellectual.entity';
import { AcademicTitle, Degree } from '../intellectual/intellectual.enums';
import { IntellectualService } from '../intellectual/intellectual.service';
import { AssignmentRole, BEFORE_REPORT, PanelRole, RecommendationOutcome } from './consultation.enums';
import { ConsultationRequestFilter, ConsultationRequestsArgs, ExpertCandidatesArgs, OpinionFilter, OpinionsArgs } from './consultation.inputs';
import { ConsultationRequestPolicy, OpinionPolicy, PanelMemberPolicy, PolicyDocumentPolicy, seesInside, seesReport } from './consultation.policy';
import { ConsultationReport, Recommendation } from './consultation-report.entity';
import { ConsultationRequest, ConsultationTransition } from './consultation-request.entity';
import { Opinion, OpinionRevision } from './opinion.entity';
import { PanelMember } from './panel-member.entity';
import { PolicyDocument, PolicyDocumentSection } from './policy-document.entity';
import {
  AgencyResponse,
  ConflictDeclaration,
  CONSULTATION_REQUEST_SORTS,
  EXPERT_CANDIDATE_SORT,
  ExpertCandidate,
  OPINION_SORT,
} from './consultation.types';

/** The orders of a request's documents (`rd`), a document's sections (`s`) and a panel (`pm`): chair, secretary, members, each in the order seated. */
export const DOCUMENT_ORDER = 'rd.position, rd.id';
export const SECTION_ORDER = 's.position, s.id';
export const PANEL_ORDER = `array_position(array[${[PanelRole.CHAIR, PanelRole.SECRETARY, PanelRole.MEMBER].map((r) => `'${r}'`).join(', ')}]::text[], pm.role), pm.id`;

/** At most this many field codes in expertCandidates(fields:). */
export const MAX_CANDIDATE_FIELDS = 50;

/** Degrees from highest to lowest (the enum's order); unknown last. */
const DEGREE_ORDER = Object.values(Degree);
/** Academic titles from highest to lowest. */
const TITLE_ORDER = [AcademicTitle.GS, AcademicTitle.PGS, AcademicTitle.NONE];

/** An association as assigned to a request: the association and its part. */
export interface AssignedAssociation {
  association: Association;
  role: AssignmentRole;
}

/**
 * Reads of the consultation module, as its policies allow (consultation.policy.ts): every query
 * here starts from ConsultationRequestPolicy, PanelMemberPolicy, OpinionPolicy or
 * PolicyDocumentPolicy, or from the request's seesInside / seesReport conditions, so that lists,
 * counts, nested fields and node(id) agree. People come from IntellectualService (their policy and
 * personal-data grant).
 */
export class ConsultationService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  private get knex(): Knex {
    return knexOf(this.em);
  }

  /** The requests the viewer may see, as `alias`. */
  requests(alias = 'r'): Knex.QueryBuilder {
    return ConsultationRequestPolicy.visible(this.viewer, this.knex(`consultation_request as ${alias}`).select(readColumns(this.em, ConsultationRequest, alias)), alias);
  }

  /** Requests as lists read them: the policy, then the filter (alias `r`). */
  requestBase(filter?: ConsultationRequestFilter | null): Knex.QueryBuilder {
    const knex = this.knex;
    const q = this.requests('r');
    if (!filter) return q;
    if (filter.search) whereNameMatches(q, 'r.search_text', searchTerm(filter.search), true);
    if (filter.kind) q.where('r.kind', filter.kind);
    if (filter.status) q.where('r.status', filter.status);
    if (filter.origin) q.where('r.origin', filter.origin);
    if (filter.agencyLevel) q.where('r.agency_level', filter.agencyLevel);
    // `= (select …)`, not `in (…)`: the planner then walks the federation's part of an index in order.
    if (filter.federationCode) q.where('r.federation_id', knex('federation').select('id').where('code', filter.federationCode));
    if (filter.associationCode) {
      q.whereExists(
        knex('consultation_assignment as fa')
          .select(knex.raw('1'))
          .whereRaw('fa.request_id = r.id')
          .whereIn('fa.association_id', knex('association').select('id').where('code', filter.associationCode)),
      );
    }
    if (filter.dueBefore) q.whereRaw('r.due_on < ?::date', [filter.dueBefore]);
    if (filter.receivedAfter) q.whereRaw('r.received_on > ?::date', [filter.receivedAfter]);
    if (filter.overdue !== null && filter.overdue !== undefined) {
      // As ConsultationRequest.overdue: due (Vietnam time) and still before the report.
      const open = BEFORE_REPORT.map(() => '?').join(', ');
      const overdue = `(r.due_on < ?::date and r.status in (${open}))`;
      q.whereRaw(filter.overdue ? overdue : `not coalesce(${overdue}, false)`, [todayInVietnam(), ...BEFORE_REPORT]);
    }
    return q;
  }

  /** A page of requests: ranked by similarity when searching, else in the order asked for. */
  async list(args: ConsultationRequestsArgs): Promise<{ page: Page<ConsultationRequest>; count: () => Promise<number> }> {
    const base = this.requestBase(args.filter);
    const page = args.filter?.search
      ? await entityPage(this.em, ConsultationRequest, withSearchRank(this.knex, base, 'r', 'r.title', searchTerm(args.filter.search), 'r.search_text'), rankedSort('r', 'crs'), args)
      : await entityPage(this.em, ConsultationRequest, base, CONSULTATION_REQUEST_SORTS[args.orderBy], args);
    return { page, count: () => countRows(this.em, base) };
  }

  /** Visible requests by id (node(id), consultationRequest(id), the parents of seats and opinions). */
  async requestsByIds(ids: readonly number[]): Promise<ConsultationRequest[]> {
    const rows = await runQuery(this.em, this.requests('r').whereIn('r.id', [...ids]));
    return rows.map((r) => hydrate(this.em, ConsultationRequest, r));
  }

  /** The requests assigned to each association (lead or contributor): one statement for the pages. */
  ofAssociations(associationIds: number[], args: ConsultationRequestsArgs): Promise<Map<number, Page<ConsultationRequest>>> {
    const base = this.requestBase(args.filter).join('consultation_assignment as pa', 'pa.request_id', 'r.id');
    if (args.filter?.search) {
      const ranked = withSearchRank(this.knex, base.select(`pa.association_id as ${PARENT}`), 'r', 'r.title', searchTerm(args.filter.search), 'r.search_text');
      return nestedPages(this.em, ConsultationRequest, associationIds, `r.${PARENT}`, ranked, rankedSort('r', 'crs'), args);
    }
    return nestedPages(this.em, ConsultationRequest, associationIds, 'pa.association_id', base, CONSULTATION_REQUEST_SORTS[args.orderBy], args);
  }

  countsOfAssociations(associationIds: number[], filter?: ConsultationRequestFilter | null): Promise<Map<number, number>> {
    return nestedCounts(this.em, associationIds, 'pa.association_id', this.requestBase(filter).join('consultation_assignment as pa', 'pa.request_id', 'r.id'));
  }

  /** Documents under review as linked to their requests (`rd`), as PolicyDocumentPolicy lets the viewer see them (`d`). */
  documentBase(): Knex.QueryBuilder {
    return PolicyDocumentPolicy.visible(
      this.viewer,
      this.knex('consultation_request_document as rd').join('policy_document as d', 'd.id', 'rd.document_id').select(readColumns(this.em, PolicyDocument, 'd')),
      'd',
    );
  }

  /** Documents under review of many requests, in position order (PolicyDocumentPolicy). */
  async documentsOf(requestIds: readonly number[]): Promise<Map<number, PolicyDocument[]>> {
    const q = this.documentBase()
      .select(`rd.request_id as ${PARENT}`)
      .whereIn('rd.request_id', [...requestIds])
      .orderByRaw(`rd.request_id, ${DOCUMENT_ORDER}`);
    return groupByParent(this.em, PolicyDocument, await runQuery(this.em, q));
  }

  /** Documents the viewer may see (PolicyDocumentPolicy), by themselves (`d`), for reads by id. */
  policyDocuments(): Knex.QueryBuilder {
    return PolicyDocumentPolicy.visible(this.viewer, this.knex('policy_document as d').select(readColumns(this.em, PolicyDocument, 'd')), 'd');
  }

  /** Visible documents by id. */
  async documentsByIds(ids: readonly number[]): Promise<PolicyDocument[]> {
    const q = this.policyDocuments().whereIn('d.id', [...ids]);
    return (await runQuery(this.em, q)).map((r) => hydrate(this.em, PolicyDocument, r));
  }

  /** Sections whose document the viewer sees (alias `s`). */
  sectionBase(): Knex.QueryBuilder {
    return PolicyDocumentPolicy.visible(
      this.viewer,
      this.knex('policy_document_section as s').join('policy_document as d', 'd.id', 's.document_id').select(readColumns(this.em, PolicyDocumentSection, 's')),
      'd',
    );
  }

  /** Sections of many documents, in position order. */
  async sectionsOf(documentIds: readonly number[]): Promise<Map<number, PolicyDocumentSection[]>> {
    const q = this.sectionBase()
      .select(`s.document_id as ${PARENT}`)
      .whereIn('s.document_id', [...documentIds])
      .orderByRaw(`s.document_id, ${SECTION_ORDER}`);
    return groupByParent(this.em, PolicyDocumentSection, await runQuery(this.em, q));
  }

  async sectionsByIds(ids: readonly number[]): Promise<PolicyDocumentSection[]> {
    return (await runQuery(this.em, this.sectionBase().whereIn('s.id', [...ids]))).map((r) => hydrate(this.em, PolicyDocumentSection, r));
  }

  /** The associations assigned to many requests (lead and contributors), contributors in Vietnamese name order. */
  async assignmentsOf(requestIds: readonly number[]): Promise<Map<number, AssignedAssociation[]>> {
    const q = AssociationPolicy.visible(
      this.viewer,
      this.knex('consultation_assignment as ca').join('association as a', 'a.id', 'ca.association_id').select('a.*', `ca.request_id as ${PARENT}`, 'ca.role as assignment_role'),
      'a',
    )
      .whereIn('ca.request_id', [...requestIds])
      .orderByRaw(`ca.request_id, a.name collate "${VI_COLLATION}", a.id`);
    const out = new Map<number, AssignedAssociation[]>();
    for (const row of await runQuery(this.em, q)) {
      const parent = Number(row[PARENT]);
      let list = out.get(parent);
      if (!list) out.set(parent, (list = []));
      list.push({ association: hydrate(this.em, Association, row), role: row.assignment_role as AssignmentRole });
    }
    return out;
  }

  /** Panel seats the viewer may see (PanelMemberPolicy), as `pm`. */
  panelBase(): Knex.QueryBuilder {
    return PanelMemberPolicy.visible(this.viewer, this.knex('consultation_panel_member as pm').select(readColumns(this.em, PanelMember, 'pm')), 'pm');
  }

  /** Panel seats of many requests (PanelMemberPolicy): chair, secretary, members, each in the order seated. */
  async panelsOf(requestIds: readonly number[]): Promise<Map<number, PanelMember[]>> {
    const q = this.panelBase()
      .select(`pm.request_id as ${PARENT}`)
      .whereIn('pm.request_id', [...requestIds])
      .orderByRaw(`pm.request_id, ${PANEL_ORDER}`);
    return groupByParent(this.em, PanelMember, await runQuery(this.em, q));
  }

  /** Panel seats of many people, newest first (PanelMemberPolicy). */
  async seatsOf(intellectualIds: readonly number[]): Promise<Map<number, PanelMember[]>> {
    const q = this.panelBase()
      .select(`pm.intellectual_id as ${PARENT}`)
      .whereIn('pm.intellectual_id', [...intellectualIds])
      .orderBy([{ column: 'pm.intellectual_id' }, { column: 'pm.id', order: 'desc' }]);
    return groupByParent(this.em, PanelMember, await runQuery(this.em, q));
  }

  async panelMembersByIds(ids: readonly number[]): Promise<PanelMember[]> {
    const q = this.panelBase().whereIn('pm.id', [...ids]);
    return (await runQuery(this.em, q)).map((r) => hydrate(this.em, PanelMember, r));
  }

  /** Rows of a table about requests, limited to the requests whose inside (or report) the viewer sees; the request is `r`. */
  private inside(table: string, alias: string, requestIds: readonly number[], report = false): Knex.QueryBuilder {
    return this.knex(`${table} as ${alias}`)
      .join('consultation_request as r', 'r.id', `${alias}.request_id`)
      .whereRaw(...(report ? seesReport(this.viewer, 'r') : seesInside(this.viewer, 'r')))
      .whereIn(`${alias}.request_id`, [...requestIds]);
  }

  /** Conflicts of interest declared on many requests (the inside), in the order declared. */
  async conflictsOf(requestIds: readonly number[]): Promise<Map<number, ConflictDeclaration[]>> {
    const q = this.inside('consultation_conflict', 'cc', requestIds)
      .select('cc.request_id', 'cc.intellectual_id', 'cc.note', 'cc.declared_at')
      .orderBy([{ column: 'cc.request_id' }, { column: 'cc.id' }]);
    const out = new Map<number, ConflictDeclaration[]>();
    for (const row of await runQuery<Record<string, unknown>>(this.em, q)) {
      const parent = Number(row.request_id);
      let list = out.get(parent);
      if (!list) out.set(parent, (list = []));
      list.push(Object.assign(new ConflictDeclaration(), { intellectualId: Number(row.intellectual_id), note: row.note as string, declaredAt: new Date(row.declared_at as string) }));
    }
    return out;
  }

  /** The lifecycle of many requests (the inside), oldest move first. */
  async historiesOf(requestIds: readonly number[]): Promise<Map<number, ConsultationTransition[]>> {
    const q = this.inside('consultation_transition', 'ct', requestIds)
      .select('ct.id', 'ct.request_id', 'ct.from', 'ct.to', 'ct.note', 'ct.at', 'ct.by', `ct.request_id as ${PARENT}`)
      .orderBy([{ column: 'ct.request_id' }, { column: 'ct.id' }]);
    return groupByParent(this.em, ConsultationTransition, await runQuery(this.em, q));
  }

  /** The report of many requests, where the viewer sees it (seesReport: the inside, or a public request's once submitted). */
  async reportsOf(requestIds: readonly number[]): Promise<Map<number, ConsultationReport>> {
    const q = this.inside('consultation_report', 'rep', requestIds, true).select('rep.id', 'rep.request_id', 'rep.summary', 'rep.submitted_on', 'rep.link');
    const out = new Map<number, ConsultationReport>();
    for (const row of await runQuery(this.em, q)) {
      // hydrate() reads many-to-one relations only: the report's one-to-one request is set here.
      out.set(Number(row.request_id), Object.assign(hydrate(this.em, ConsultationReport, row), { request: { id: Number(row.request_id) } }));
    }
    return out;
  }

  /** Recommendations of the reports of many requests, by number (seesReport; the agency's outcomes are not read). */
  async recommendationsOf(requestIds: readonly number[]): Promise<Map<number, Recommendation[]>> {
    const q = this.inside('consultation_recommendation', 'rec', requestIds, true)
      .select('rec.id', 'rec.request_id', 'rec.number', 'rec.text', 'rec.section_id', `rec.request_id as ${PARENT}`)
      .orderBy([{ column: 'rec.request_id' }, { column: 'rec.number' }]);
    return groupByParent(this.em, Recommendation, await runQuery(this.em, q));
  }

  /** The agency's responses to many requests (the inside), with the outcome of each recommendation, in one statement. */
  async responsesOf(requestIds: readonly number[]): Promise<Map<number, AgencyResponse>> {
    const q = this.inside('consultation_report', 'rep', requestIds)
      .whereNotNull('rep.response_received_on')
      .select(
        'rep.request_id',
        'rep.response_received_on',
        'rep.response_overall',
        'rep.response_note',
        this.knex.raw(
          `coalesce((select json_agg(json_build_object('number', x.number, 'outcome', x.outcome) order by x.number)
             from consultation_recommendation x where x.request_id = rep.request_id and x.outcome is not null), '[]'::json) as outcomes`,
        ),
      );
    const out = new Map<number, AgencyResponse>();
    for (const row of await runQuery<Record<string, unknown>>(this.em, q)) {
      out.set(
        Number(row.request_id),
        Object.assign(new AgencyResponse(), {
          receivedOn: row.response_received_on as string,
          overall: row.response_overall as RecommendationOutcome,
          note: (row.response_note as string | null) ?? null,
          outcomes: row.outcomes as AgencyResponse['outcomes'],
        }),
      );
    }
    return out;
  }

  /** Opinions the viewer may see (OpinionPolicy), filtered (alias `o`). */
  opinionBase(filter?: OpinionFilter | null): Knex.QueryBuilder {
    const q = OpinionPolicy.visible(this.viewer, this.knex('consultation_opinion as o').select(readColumns(this.em, Opinion, 'o')), 'o');
    if (filter?.stance) q.where('o.stance', filter.stance);
    if (filter?.associationCode) q.whereIn('o.association_id', this.knex('association').select('id').where('code', filter.associationCode));
    return q;
  }

  /** Opinions of many requests: one statement for the pages. */
  opinionsOf(requestIds: number[], args: OpinionsArgs): Promise<Map<number, Page<Opinion>>> {
    return nestedPages(this.em, Opinion, requestIds, 'o.request_id', this.opinionBase(args.filter), OPINION_SORT, args);
  }

  opinionCounts(requestIds: number[], filter?: OpinionFilter | null): Promise<Map<number, number>> {
    return nestedCounts(this.em, requestIds, 'o.request_id', this.opinionBase(filter));
  }

  async opinionsByIds(ids: readonly number[]): Promise<Opinion[]> {
    return (await runQuery(this.em, this.opinionBase().whereIn('o.id', [...ids]))).map((r) => hydrate(this.em, Opinion, r));
  }

  /** Earlier texts of many opinions, oldest first (OpinionPolicy on the opinion). */
  async revisionsOf(opinionIds: readonly number[]): Promise<Map<number, OpinionRevision[]>> {
    const q = OpinionPolicy.visible(
      this.viewer,
      this.knex('consultation_opinion_revision as rv')
        .join('consultation_opinion as o', 'o.id', 'rv.opinion_id')
        .select(...readColumns(this.em, OpinionRevision, 'rv'), `rv.opinion_id as ${PARENT}`),
      'o',
    )
      .whereIn('rv.opinion_id', [...opinionIds])
      .orderBy([{ column: 'rv.opinion_id' }, { column: 'rv.revision' }]);
    return groupByParent(this.em, OpinionRevision, await runQuery(this.em, q));
  }

  /**
   * People who could review a request (ADMIN and ANALYST only): whose fields of expertise overlap
   * the request's fields (or `fields`), leaving out those on its panel and those who declared a
   * conflict on it; best overlap first, then highest degree, academic title, Vietnamese name. The
   * people are read by IntellectualService (their policy and personal-data grant).
   */
  async expertCandidates(args: ExpertCandidatesArgs): Promise<{ page: Page<ExpertCandidate>; count: () => Promise<number> }> {
    requireRole(this.viewer, ['ADMIN', 'ANALYST'], 'expertCandidates');
    const requestId = expectGlobalId(args.requestId, 'ConsultationRequest', 'requestId');
    const [request] = await runQuery<{ id: number; fields: string[] }>(this.em, this.requests('r').clearSelect().select('r.id', 'r.fields').where('r.id', requestId));
    if (!request) throw new HubError(ErrorCode.NOT_FOUND, 'No consultation request has this id', { argumentName: 'requestId' });
    if (args.fields && args.fields.length > MAX_CANDIDATE_FIELDS) throw badInput(`fields: at most ${MAX_CANDIDATE_FIELDS} codes`, { argumentName: 'fields' });
    for (const code of args.fields ?? []) {
      if (!isFieldCode(code)) throw badInput(`Unknown field code "${code}"; see the scienceFields query`, { argumentName: 'fields' });
    }
    const codes = [...new Set((args.fields ?? request.fields).flatMap(expandFieldCode))].sort();
    const empty = { nodes: [], cursors: [], hasNextPage: false, hasPreviousPage: Boolean(args.after) };
    if (!codes.length) return { page: empty, count: async () => 0 };

    const knex = this.knex;
    const wanted = pgArray(codes);
    const matched = `array(select f from unnest(i.fields) as f where f = any(?::text[]) order by f)`;
    const inner = new IntellectualService(this.em, this.viewer)
      .people('i')
      .whereRaw('i.fields && ?::text[]', [wanted])
      .whereNotExists(knex('consultation_panel_member as xp').select(knex.raw('1')).whereRaw('xp.intellectual_id = i.id').where('xp.request_id', requestId))
      .whereNotExists(knex('consultation_conflict as xc').select(knex.raw('1')).whereRaw('xc.intellectual_id = i.id').where('xc.request_id', requestId))
      .select(
        knex.raw(`${matched} as matched_fields`, [wanted]),
        knex.raw(`-cardinality(${matched}) as neg_overlap`, [wanted]),
        knex.raw(`coalesce(array_position(?::text[], i.highest_degree), ${DEGREE_ORDER.length + 1}) as degree_rank`, [pgArray(DEGREE_ORDER)]),
        knex.raw(`coalesce(array_position(?::text[], i.academic_title), ${TITLE_ORDER.length + 1}) as title_rank`, [pgArray(TITLE_ORDER)]),
      );
    const ranked = knex.select('c.*').from(inner.clone().as('c'));
    const page = await fetchPage<Record<string, unknown>, ExpertCandidate>(
      ranked,
      EXPERT_CANDIDATE_SORT,
      args,
      (row) => ({ person: hydrate(this.em, Intellectual, row), overlap: -Number(row.neg_overlap), matched: row.matched_fields as string[] }),
      (q) => runQuery(this.em, q),
    );
    return { page, count: () => countRows(this.em, inner) };
  }
}
