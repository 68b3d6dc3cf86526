import { fromGlobalId } from '../../common/node-id';
import { Args, columnFields, filteredConnection, filterOf, ReadScope, SqlReadContribution } from '../../common/sql-read';
import { ScienceField } from '../field/field.types';
import { todayInVietnam } from '../../common/validate';
import { AssignmentRole, BEFORE_REPORT, ConsultationOrder } from './consultation.enums';
import { ConsultationRequestFilter, OpinionFilter } from './consultation.inputs';
import { ConsultationService, DOCUMENT_ORDER, PANEL_ORDER, SECTION_ORDER } from './consultation.service';
import { CONSULTATION_REQUEST_SORTS, OPINION_SORT } from './consultation.types';

/**
 * Consultation requests in compiled reads (common/sql-read.ts): their own columns, agency and
 * request letter, federation and lead association, documents and their sections, panel and
 * opinions, in the lists `consultationRequests` and `Association.consultationRequests`,
 * `consultationRequest(id)` and `node(id)`. The sources are the service's (its policies, then the
 * filter), in the resolvers' orders. A search (ranked), the history, report, response, conflicts,
 * contributors and the timestamps stay on the resolvers.
 */

const service = (s: ReadScope) => new ConsultationService(s.em, s.viewer);
const sort = (args: Args) => CONSULTATION_REQUEST_SORTS[(args.orderBy as ConsultationOrder | undefined) ?? ConsultationOrder.RECEIVED_DESC];

/** Requests as lists read them (the service's policy and filter); `assigned` joins their assignments as `pa`. */
const requests = (assigned: boolean) =>
  filteredConnection(
    'ConsultationRequest',
    ConsultationRequestFilter,
    (s, filter) => {
      const q = service(s).requestBase(filter).clearSelect();
      return { q: assigned ? q.join('consultation_assignment as pa', 'pa.request_id', 'r.id') : q, alias: 'r' };
    },
    sort,
    assigned ? 'pa.association_id' : undefined,
  );

/** The request letter: null when none of its parts is set (as the entity answers a null embeddable). */
const LETTER_PARTS = ['number', 'date', 'issuer', 'title'];

export const consultationSqlRead: SqlReadContribution = {
  plainTypes: ['Agency', 'LegalDocument'],
  types: [
    {
      type: 'ConsultationRequest',
      byId: (s) => ({ q: service(s).requests('r').clearSelect(), alias: 'r' }),
      fields: {
        id: { kind: 'id' },
        ...columnFields({
          kind: 'kind',
          subjectKind: 'subject_kind',
          title: 'title',
          summary: 'summary',
          origin: 'origin',
          format: 'format',
          receivedOn: 'received_on',
          dueOn: 'due_on',
          visibility: 'visibility',
          status: 'status',
          version: 'version',
          demo: 'demo',
        }),
        fields: { kind: 'value', sql: (a) => `${a}.fields`, value: (codes) => (codes as string[]).map(ScienceField.of) },
        agency: {
          kind: 'value',
          sql: (a) => `jsonb_build_object('name', ${a}.agency_name, 'level', ${a}.agency_level, 'contact', ${a}.agency_contact)`,
          value: (v) => v,
        },
        requestDocument: {
          kind: 'value',
          sql: (a) =>
            `case when ${LETTER_PARTS.map((p) => `${a}.request_document_${p} is null`).join(' and ')} then null ` +
            `else jsonb_build_object(${LETTER_PARTS.map((p) => `'${p}', ${a}.request_document_${p}`).join(', ')}) end`,
          value: (v) => v,
        },
        overdue: {
          kind: 'column',
          // As ConsultationRequest.overdue: due (Vietnam time, today's date bound per request) and still before the report.
          sql: (a) => ({ sql: `(${a}.due_on is not null and ${a}.due_on < ?::date and ${a}.status in (${BEFORE_REPORT.map((x) => `'${x}'`).join(', ')}))`, bindings: [todayInVietnam()] }),
        },
        federation: { kind: 'object', type: 'Federation', key: (a) => `${a}.federation_id` },
        documents: { kind: 'list', type: 'PolicyDocument', source: (s) => ({ q: service(s).documentBase().clearSelect(), alias: 'd' }), childColumn: 'rd.request_id', order: DOCUMENT_ORDER },
        panel: { kind: 'list', type: 'PanelMember', source: (s) => ({ q: service(s).panelBase().clearSelect(), alias: 'pm' }), childColumn: 'pm.request_id', order: PANEL_ORDER },
        opinions: {
          kind: 'connection',
          type: 'Opinion',
          childColumn: 'o.request_id',
          source: (s, args) => ({ q: service(s).opinionBase(filterOf(OpinionFilter, args)).clearSelect(), alias: 'o' }),
          count: (s, args) => ({ q: service(s).opinionBase(filterOf(OpinionFilter, args)).clearSelect(), alias: 'o' }),
          sort: () => OPINION_SORT,
        },
        leadAssociation: {
          kind: 'object',
          type: 'Association',
          key: (a) => `(select la.association_id from consultation_assignment la where la.request_id = ${a}.id and la.role = '${AssignmentRole.LEAD}')`,
        },
      },
    },
    {
      type: 'PolicyDocument',
      byId: (s) => ({ q: service(s).policyDocuments().clearSelect(), alias: 'd' }),
      fields: {
        id: { kind: 'id' },
        ...columnFields({ title: 'title', link: 'link', versionLabel: 'version_label', issuedOn: 'issued_on', demo: 'demo' }),
        sections: { kind: 'list', type: 'PolicyDocumentSection', source: (s) => ({ q: service(s).sectionBase().clearSelect(), alias: 's' }), childColumn: 's.document_id', order: SECTION_ORDER },
      },
    },
    { type: 'PolicyDocumentSection', fields: columnFields({ number: 'number', heading: 'heading', text: 'text' }) },
    {
      type: 'PanelMember',
      byId: (s) => ({ q: service(s).panelBase().clearSelect(), alias: 'pm' }),
      fields: {
        id: { kind: 'id' },
        role: { kind: 'column', sql: (a) => `${a}.role` },
        intellectual: { kind: 'object', type: 'Intellectual', key: (a) => `${a}.intellectual_id` },
        request: { kind: 'object', type: 'ConsultationRequest', key: (a) => `${a}.request_id` },
      },
    },
    {
      type: 'Opinion',
      byId: (s) => ({ q: service(s).opinionBase().clearSelect(), alias: 'o' }),
      fields: {
        id: { kind: 'id' },
        ...columnFields({ stance: 'stance', text: 'text', version: 'version' }),
        association: { kind: 'object', type: 'Association', key: (a) => `${a}.association_id` },
        author: { kind: 'object', type: 'Intellectual', key: (a) => `${a}.intellectual_id` },
        request: { kind: 'object', type: 'ConsultationRequest', key: (a) => `${a}.request_id` },
      },
    },
    {
      // Association.consultationRequests lives here, beside the requests it lists (as its resolver does).
      type: 'Association',
      fields: {
        consultationRequests: { kind: 'connection', ...requests(true) },
      },
    },
  ],
  roots: {
    consultationRequests: { kind: 'connection', ...requests(false) },
    consultationRequest: {
      kind: 'one',
      type: 'ConsultationRequest',
      source(s, args) {
        const d = fromGlobalId(String(args.id));
        return d?.type === 'ConsultationRequest' ? { q: service(s).requests('r').clearSelect().where('r.id', d.id), alias: 'r' } : null;
      },
    },
  },
};
