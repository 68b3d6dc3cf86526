import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { ConnectionType, Page, PageInfo, SortSpec, VI_COLLATION } from '../../common/pagination';
import { LocalDateScalar } from '../../common/scalars';
import { ScienceField } from '../field/field.types';
import { Intellectual } from '../intellectual/intellectual.entity';
import { ConsultationOrder, RecommendationOutcome } from './consultation.enums';
import { ConsultationRequest } from './consultation-request.entity';
import { Opinion } from './opinion.entity';

export const ConsultationRequestConnection = ConnectionType('ConsultationRequest', ConsultationRequest, 'consultation request');
export const OpinionConnection = ConnectionType('Opinion', Opinion, 'opinion');

/** Orders of request lists: each matches an index of consultation_request (see the entity). */
export const CONSULTATION_REQUEST_SORTS: Record<ConsultationOrder, SortSpec> = {
  RECEIVED_DESC: {
    key: 'cr',
    direction: 'desc',
    columns: [
      { column: 'received_on', type: 'date', sql: 'r.received_on' },
      { column: 'id', type: 'int', sql: 'r.id' },
    ],
  },
  // coalesce(due_on, 'infinity') as consultation_request_due_idx has it: undated requests last.
  DUE_ASC: {
    key: 'cd',
    direction: 'asc',
    columns: [
      { column: 'due_on', type: 'date', sql: 'r.due_on', nullsAs: "'infinity'::date" },
      { column: 'id', type: 'int', sql: 'r.id' },
    ],
  },
  TITLE: {
    key: 'ct',
    direction: 'asc',
    columns: [
      { column: 'title', type: 'text', sql: 'r.title', collate: VI_COLLATION },
      { column: 'id', type: 'int', sql: 'r.id' },
    ],
  },
};

/** Opinions of a request, in the order given (consultation_opinion_request_idx). */
export const OPINION_SORT: SortSpec = { key: 'op', direction: 'asc', columns: [{ column: 'id', type: 'int', sql: 'o.id' }] };

/**
 * Expert candidates: best overlap first, then highest degree, then academic title, then the
 * Vietnamese name order. Every column ascends (the overlap is negated), so one row comparison pages it.
 */
export const EXPERT_CANDIDATE_SORT: SortSpec = {
  key: 'ec',
  direction: 'asc',
  columns: [
    { column: 'neg_overlap', type: 'int', sql: 'c.neg_overlap' },
    { column: 'degree_rank', type: 'int', sql: 'c.degree_rank' },
    { column: 'title_rank', type: 'int', sql: 'c.title_rank' },
    { column: 'given_name', type: 'text', sql: 'c.given_name', collate: VI_COLLATION },
    { column: 'full_name', type: 'text', sql: 'c.full_name', collate: VI_COLLATION },
    { column: 'id', type: 'int', sql: 'c.id' },
  ],
};

@ObjectType('ConflictDeclaration', { description: 'A conflict of interest a person declared on a request: they cannot sit on its panel.' })
export class ConflictDeclaration {
  /** The person's id (the field resolver loads the person under IntellectualPolicy). */
  intellectualId!: number;

  @Field(() => String, { description: 'What the conflict is, as declared.' })
  note!: string;

  @Field(() => DateTimeResolver, { description: 'When it was declared.' })
  declaredAt!: Date;
}

@ObjectType('RecommendationResponse', { description: "The agency's answer to one recommendation of the report." })
export class RecommendationResponse {
  @Field(() => Int, { description: 'The number of the recommendation in the report.' })
  number!: number;

  @Field(() => RecommendationOutcome, { description: 'What the agency did with it.' })
  outcome!: RecommendationOutcome;
}

@ObjectType('AgencyResponse', { description: "The agency's written answer to the report: when, overall, a note, and its answer to each recommendation." })
export class AgencyResponse {
  @Field(() => LocalDateScalar, { description: 'Date the answer was received.' })
  receivedOn!: string;

  @Field(() => RecommendationOutcome, { description: 'What the agency did with the report as a whole.' })
  overall!: RecommendationOutcome;

  @Field(() => String, { nullable: true, description: "The agency's note, as written." })
  note?: string | null;

  @Field(() => [RecommendationResponse], { description: 'The answer to each recommendation, by number.' })
  outcomes!: RecommendationResponse[];
}

@ObjectType('ExpertCandidateEdge', { description: 'A person who could sit on the panel, with how their fields of expertise match the request.' })
export class ExpertCandidateEdge {
  @Field(() => String, { description: 'Cursor of this item; pass it as `after` to continue after it.' })
  cursor!: string;

  @Field(() => Intellectual, { description: 'The person (personal data as the caller may see it).' })
  node!: Intellectual;

  @Field(() => Int, { description: "How many of the person's fields of expertise are among the fields asked for." })
  overlap!: number;

  @Field(() => [ScienceField], { description: "The person's fields of expertise that are among the fields asked for." })
  matchedFields!: ScienceField[];
}

/** A candidate as the service reads it: the person and the match. */
export interface ExpertCandidate {
  person: Intellectual;
  overlap: number;
  matched: string[];
}

@ObjectType('ExpertCandidateConnection', { description: 'A page of expert candidates for a request, best match first (Relay cursor connection).' })
export class ExpertCandidateConnection {
  @Field(() => [ExpertCandidateEdge], { description: 'The candidates of this page, in order.' })
  edges!: ExpertCandidateEdge[];

  @Field(() => PageInfo, { description: 'Cursors and whether more candidates follow.' })
  pageInfo!: PageInfo;

  private countFn!: () => Promise<number>;

  @Field(() => Int, { description: 'How many people match, across all pages.' })
  get totalCount(): Promise<number> {
    return this.countFn();
  }

  static build(page: Page<ExpertCandidate>, count: () => Promise<number>): ExpertCandidateConnection {
    const c = new ExpertCandidateConnection();
    c.edges = page.nodes.map((x, i) =>
      Object.assign(new ExpertCandidateEdge(), { cursor: page.cursors[i], node: x.person, overlap: x.overlap, matchedFields: x.matched.map(ScienceField.of) }),
    );
    c.pageInfo = Object.assign(new PageInfo(), {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors[page.cursors.length - 1] ?? null,
    });
    c.countFn = count;
    return c;
  }
}
