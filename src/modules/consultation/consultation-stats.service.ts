import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { knexOf, pgArray, runQuery } from '../../common/sql';
import { ConsultationKind, ConsultationOrigin, ConsultationStatus, RecommendationOutcome, REPORT_OUT } from './consultation.enums';
import { seesInside, seesRequest } from './consultation.policy';

/** Requests by kind, status, origin and year of one federation (and year), with their total. */
export interface RequestCounts {
  total: number;
  kind: Map<ConsultationKind, number>;
  status: Map<ConsultationStatus, number>;
  origin: Map<ConsultationOrigin, number>;
  /** Year → requests, oldest first. */
  year: [number, number][];
}

export interface ReportTiming {
  medianDays: number | null;
  onTimeRate: number | null;
}

export const EMPTY_COUNTS = (): RequestCounts => ({ total: 0, kind: new Map(), status: new Map(), origin: new Map(), year: [] });
export const NO_TIMING: ReportTiming = { medianDays: null, onTimeRate: null };

type Row = Record<string, unknown> & { root: number };

/**
 * Consultation figures for many federations at once: each method is ONE aggregate statement over
 * the requests of every federation asked for, grouped by federation, so a list of federations with
 * their figures costs the same statements as one. The viewer's visibility is part of the SQL
 * (consultation.policy.ts): requests per `seesRequest`, opinions and outcomes per `seesInside`.
 */
export class ConsultationStatsService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
  ) {}

  /**
   * The WHERE clause of the requests counted: the federations, what the viewer sees (`inside`:
   * the inside too), and the year of receipt (a range on received_on, which its index serves).
   */
  private requests(federationIds: readonly number[], year: number | null, inside = false): [string, Knex.RawBinding[]] {
    const [seen, seenBindings] = inside ? seesInside(this.viewer, 'r') : seesRequest(this.viewer, 'r');
    const parts = ['r.federation_id = any(?::int[])', seen];
    const bindings: Knex.RawBinding[] = [pgArray(federationIds), ...seenBindings];
    if (year !== null) {
      parts.push(`r.received_on >= make_date(?, 1, 1) and r.received_on < make_date(?, 1, 1)`);
      bindings.push(year, year + 1);
    }
    return [parts.join(' and '), bindings];
  }

  private async rows(sql: string, bindings: Knex.RawBinding[]): Promise<Row[]> {
    const rows = await runQuery<Row>(this.em, knexOf(this.em).raw(sql, bindings));
    return rows.map((r) => ({ ...r, root: Number(r.root) }));
  }

  /** Total, kind, status, origin and year of receipt: one pass, GROUPING SETS. */
  async counts(federationIds: readonly number[], year: number | null): Promise<Map<number, RequestCounts>> {
    const [where, bindings] = this.requests(federationIds, year);
    const rows = await this.rows(
      `select root, kind, status, origin, yr, grouping(kind, status, origin, yr) as g, count(*) as n
       from (select r.federation_id as root, r.kind, r.status, r.origin, extract(year from r.received_on)::int as yr
             from consultation_request r where ${where}) x
       group by grouping sets ((root), (root, kind), (root, status), (root, origin), (root, yr))`,
      bindings,
    );
    const out = new Map<number, RequestCounts>(federationIds.map((id) => [id, EMPTY_COUNTS()]));
    for (const r of rows) {
      const c = out.get(r.root);
      if (!c) continue;
      const n = Number(r.n);
      // grouping() sets a bit per column left out: 0b1111 none grouped (the total), 0b0111 kind only…
      switch (Number(r.g)) {
        case 0b1111:
          c.total = n;
          break;
        case 0b0111:
          c.kind.set(r.kind as ConsultationKind, n);
          break;
        case 0b1011:
          c.status.set(r.status as ConsultationStatus, n);
          break;
        case 0b1101:
          c.origin.set(r.origin as ConsultationOrigin, n);
          break;
        case 0b1110:
          c.year.push([Number(r.yr), n]);
          break;
      }
    }
    for (const c of out.values()) c.year.sort((a, b) => a[0] - b[0]);
    return out;
  }

  /**
   * Median days from receipt to report, and the on-time share, over submitted reports (status in
   * REPORT_OUT, a submittedOn date). A PUBLIC request's report is public once submitted, so these
   * read the requests the viewer sees.
   */
  async reportTiming(federationIds: readonly number[], year: number | null): Promise<Map<number, ReportTiming>> {
    const [where, bindings] = this.requests(federationIds, year);
    const rows = await this.rows(
      `select r.federation_id as root,
         percentile_cont(0.5) within group (order by rep.submitted_on - r.received_on) as median,
         avg((rep.submitted_on <= r.due_on)::int) filter (where r.due_on is not null) as on_time
       from consultation_request r join consultation_report rep on rep.request_id = r.id
       where ${where} and r.status in (${REPORT_OUT.map(() => '?').join(', ')}) and rep.submitted_on is not null
       group by r.federation_id`,
      [...bindings, ...REPORT_OUT],
    );
    const out = new Map<number, ReportTiming>();
    for (const r of rows) {
      out.set(r.root, { medianDays: r.median === null ? null : Number(r.median), onTimeRate: r.on_time === null ? null : Number(r.on_time) });
    }
    return out;
  }

  /** Opinions per association on the requests whose inside the viewer sees (none for the public: no statement). */
  async opinionsPerAssociation(federationIds: readonly number[], year: number | null): Promise<Map<number, { associationId: number; count: number }[]>> {
    const out = new Map<number, { associationId: number; count: number }[]>(federationIds.map((id) => [id, []]));
    if (this.viewer.role === 'PUBLIC') return out;
    const [where, bindings] = this.requests(federationIds, year, true);
    const rows = await this.rows(
      // Count first, then look up the codes of the few associations (for the order).
      `select x.root, x.association_id, x.n
       from (select r.federation_id as root, o.association_id, count(*) as n
             from consultation_request r join consultation_opinion o on o.request_id = r.id
             where ${where} and o.association_id is not null
             group by r.federation_id, o.association_id) x
       join association a on a.id = x.association_id
       order by x.n desc, a.code`,
      bindings,
    );
    for (const r of rows) out.get(r.root)?.push({ associationId: Number(r.association_id), count: Number(r.n) });
    return out;
  }

  /** Recommendation outcomes on the requests whose inside the viewer sees (none for the public: no statement). */
  async outcomes(federationIds: readonly number[], year: number | null): Promise<Map<number, Map<RecommendationOutcome, number>>> {
    const out = new Map<number, Map<RecommendationOutcome, number>>(federationIds.map((id) => [id, new Map()]));
    if (this.viewer.role === 'PUBLIC') return out;
    const [where, bindings] = this.requests(federationIds, year, true);
    const rows = await this.rows(
      `select r.federation_id as root, rec.outcome, count(*) as n
       from consultation_request r join consultation_recommendation rec on rec.request_id = r.id
       where ${where} and rec.outcome is not null
       group by r.federation_id, rec.outcome`,
      bindings,
    );
    for (const r of rows) out.get(r.root)?.set(r.outcome as RecommendationOutcome, Number(r.n));
    return out;
  }
}
