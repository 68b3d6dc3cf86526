import type { Knex } from '@mikro-orm/postgresql';
import type { Viewer } from '../../common/auth';
import { EntityPolicy } from '../../common/policy';
import { currentMemberOf } from '../intellectual/intellectual.policy';
import { ConsultationVisibility, REPORT_OUT } from './consultation.enums';
import { ConsultationRequest } from './consultation-request.entity';
import { Opinion } from './opinion.entity';
import { PanelMember } from './panel-member.entity';
import { PolicyDocument } from './policy-document.entity';
// Forums publish their document to whoever sees them (forums build on this module; only their SQL condition is used here).
import { seesForum } from '../forum/forum.policy';

type Sql = [sql: string, bindings: Knex.RawBinding[]];

/**
 * SQL: the association is involved in the request whose id is `requestId` (an SQL expression):
 * assigned to it (lead or contributor), or one of its current (not ended) members sits on its panel.
 */
export function involved(requestId: string, associationId: number | null): Sql {
  const [member, memberBindings] = currentMemberOf('ipm.intellectual_id', associationId);
  return [
    `(exists (select 1 from consultation_assignment ica where ica.request_id = ${requestId} and ica.association_id = ?)` +
      ` or exists (select 1 from consultation_panel_member ipm where ipm.request_id = ${requestId} and ${member}))`,
    [associationId, ...memberBindings],
  ];
}

/** SQL: the viewer sees the request `alias` at all (ConsultationRequestPolicy.visible, as an expression). */
export function seesRequest(viewer: Viewer, alias: string): Sql {
  switch (viewer.role) {
    case 'ADMIN':
    case 'ANALYST':
      return ['true', []];
    case 'ASSOCIATION': {
      const [inv, b] = involved(`${alias}.id`, viewer.associationId);
      return [`(${alias}.visibility = ? or ${inv})`, [ConsultationVisibility.PUBLIC, ...b]];
    }
    case 'PUBLIC':
      return [`${alias}.visibility = ?`, [ConsultationVisibility.PUBLIC]];
  }
}

/**
 * SQL: the viewer sees the inside of the request `alias` (its panel, opinions, history, draft
 * report and the agency's response): ADMIN, ANALYST, and the associations involved in it.
 */
export function seesInside(viewer: Viewer, alias: string): Sql {
  switch (viewer.role) {
    case 'ADMIN':
    case 'ANALYST':
      return ['true', []];
    case 'ASSOCIATION':
      return involved(`${alias}.id`, viewer.associationId);
    case 'PUBLIC':
      return ['false', []];
  }
}

/** SQL: the viewer sees the report of the request `alias`: the inside, or a PUBLIC request's once submitted. */
export function seesReport(viewer: Viewer, alias: string): Sql {
  const [inside, b] = seesInside(viewer, alias);
  const [seen, s] = seesRequest(viewer, alias);
  return [`(${inside} or (${seen} and ${alias}.status in (${REPORT_OUT.map(() => '?').join(', ')})))`, [...b, ...s, ...REPORT_OUT]];
}

/**
 * Consultation requests. Reading:
 * - ADMIN and ANALYST see every request and everything in it;
 * - an ASSOCIATION key sees PUBLIC requests, and CONFIDENTIAL ones it is involved in (assigned as
 *   lead or contributor, or one of its current members sits on the panel); it sees the inside
 *   (panel, opinions, history, draft report, response) of those it is involved in only;
 * - the public sees PUBLIC requests: subject, status, dates, documents, and the report once
 *   submitted; never the panel, the opinions, the history or the response.
 * A request the viewer may not see does not exist for it: not in lists, counts, search, stats, node(id).
 * Written by ADMIN; opinions by the associations (OpinionPolicy).
 */
export const ConsultationRequestPolicy: EntityPolicy<ConsultationRequest> = {
  visible(viewer, q, alias) {
    if (viewer.role === 'ADMIN' || viewer.role === 'ANALYST') return q;
    return q.whereRaw(...seesRequest(viewer, alias));
  },
  canWrite: (viewer) => viewer.role === 'ADMIN',
};

/** Inner records of a request (panel seats, opinions): seen where the request's inside is, `requestColumn` naming their request. */
function insideOf(viewer: Viewer, q: Knex.QueryBuilder, requestColumn: string): Knex.QueryBuilder {
  if (viewer.role === 'ADMIN' || viewer.role === 'ANALYST') return q;
  if (viewer.role === 'PUBLIC') return q.whereRaw('false');
  const [inv, b] = involved(requestColumn, viewer.associationId);
  return q.whereRaw(inv, b);
}

/** Panel seats: seen by ADMIN, ANALYST and the associations involved in the request. Written by ADMIN. */
export const PanelMemberPolicy: EntityPolicy<PanelMember> = {
  visible: (viewer, q, alias) => insideOf(viewer, q, `${alias}.request_id`),
  canWrite: (viewer) => viewer.role === 'ADMIN',
};

/**
 * Opinions: seen by ADMIN, ANALYST and the associations involved in the request. Written by ADMIN,
 * and by the association that submitted it (its own, or its member's on the panel).
 */
export const OpinionPolicy: EntityPolicy<Opinion> = {
  visible: (viewer, q, alias) => insideOf(viewer, q, `${alias}.request_id`),
  canWrite: (viewer, o) => viewer.role === 'ADMIN' || (viewer.role === 'ASSOCIATION' && o.association?.id === viewer.associationId),
};

/**
 * Policy documents are public, except those under review only in requests the viewer may not see
 * (a document of a confidential request is as confidential as the request). A forum the viewer
 * sees publishes its document to it: the forum discusses it in the open. Written by ADMIN.
 */
export const PolicyDocumentPolicy: EntityPolicy<PolicyDocument> = {
  visible(viewer, q, alias) {
    if (viewer.role === 'ADMIN' || viewer.role === 'ANALYST') return q;
    const [seen, b] = seesRequest(viewer, 'pdr');
    const [forum, f] = seesForum(viewer, 'pdf');
    return q.whereRaw(
      `(not exists (select 1 from consultation_request_document pdl where pdl.document_id = ${alias}.id)` +
        ` or exists (select 1 from consultation_request_document pdl join consultation_request pdr on pdr.id = pdl.request_id where pdl.document_id = ${alias}.id and ${seen})` +
        ` or exists (select 1 from forum pdf where pdf.document_id = ${alias}.id and ${forum}))`,
      [...b, ...f],
    );
  },
  canWrite: (viewer) => viewer.role === 'ADMIN',
};
