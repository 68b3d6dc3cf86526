/**
 * How a client uses the generated documents, compiled with `tsc --strict` in CI
 * (`npm run codegen:check`): if a scalar were unmapped (`unknown`) or an operation no longer
 * matched the schema, this file would not compile. It is type-checked, never run.
 */
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AuditEventsDocument,
  FederationOverviewDocument,
  FederationStatsDocument,
  FederationsDocument,
  UpsertMembersDocument,
  type FederationsQuery,
  type FederationsQueryVariables,
  type UpsertMembersMutationVariables,
  type UserErrorCode,
} from '../generated/graphql/graphql';

/** One request to the hub, typed by the document: variables in, data out. */
export async function request<Result, Variables>(url: string, document: TypedDocumentNode<Result, Variables>, variables: Variables, key?: string): Promise<Result> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: print(document), variables }) });
  const body = (await res.json()) as { data?: Result | null; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) throw new Error(`${res.status}: ${body.errors?.map((e) => e.extensions?.code ?? e.message).join(', ')}`);
  return body.data;
}

/** An association app's push: the input is checked field by field against UpsertMembersInput. */
export async function pushMembers(url: string, key: string): Promise<{ written: number; problems: string[] }> {
  const variables: UpsertMembersMutationVariables = {
    input: {
      associationCode: 'ST-YHOC',
      idempotencyKey: 'sync-2026-11-28-001',
      members: [{ externalId: 'HV-0420', fullName: 'Nguyễn Văn Đức', email: 'duc@example.org', birthDate: '1979-05-17', degree: 'TS', fields: ['3.2'], role: 'MEMBER' }],
    },
  };
  const data = await request(url, UpsertMembersDocument, variables, key);
  const payload = data.upsertMembers; // nullable: a refused mutation in a document of several
  if (!payload) return { written: 0, problems: ['refused'] };
  const codes: UserErrorCode[] = payload.userErrors.map((e) => e.code);
  const problems = payload.userErrors.map((e, i) => `${codes[i]} at ${e.field.join('.')}: ${e.message}`);
  const written = payload.results.filter((r) => r.outcome === 'CREATED' || r.outcome === 'UPDATED').length;
  return { written: Math.max(written, payload.created + payload.updated), problems };
}

/** Every federation, page after page, with `first`/`after`. */
export async function allFederations(url: string): Promise<FederationsQuery['federations']['edges'][number]['node'][]> {
  const nodes: FederationsQuery['federations']['edges'][number]['node'][] = [];
  let after: string | null | undefined = null;
  for (;;) {
    const page: FederationsQuery = await request(url, FederationsDocument, { first: 100, after, filter: { level: 'PROVINCIAL' } });
    nodes.push(...page.federations.edges.map((e) => e.node));
    if (!page.federations.pageInfo.hasNextPage) return nodes;
    after = page.federations.pageInfo.endCursor;
  }
}

/** Custom scalars come out as their mapped types: Date as a string, JSONObject as a record. */
export async function scalars(url: string, adminKey: string): Promise<string[]> {
  const overview = await request(url, FederationOverviewDocument, { code: 'SOCTRANG' });
  const founded: string | null | undefined = overview.federation?.foundedOn;
  const year = founded ? Number(founded.slice(0, 4)) : null;

  const stats = await request(url, FederationStatsDocument, { code: 'SOCTRANG' });
  const women = stats.federation?.stats.peopleByGender.find((b) => b.key === 'FEMALE');
  const shown: number | null | undefined = women?.suppressed ? null : women?.count;

  const audit = await request(url, AuditEventsDocument, { first: 10, filter: { since: '2026-01-01T00:00:00Z' } }, adminKey);
  const changed = (audit.auditEvents?.edges ?? []).map((e) => Object.keys(e.node.changes).join(',') + ' at ' + e.node.at.slice(0, 10));
  return [`founded ${year}`, `women ${shown ?? 'suppressed'}`, ...changed];
}

// Mistakes a client could make, which strict TypeScript must refuse.
export const refused: UpsertMembersMutationVariables[] = [
  // @ts-expect-error idempotencyKey is required on upsertMembers
  { input: { associationCode: 'ST-YHOC', members: [] } },
  // @ts-expect-error members is a list of MemberInput, not of strings
  { input: { associationCode: 'ST-YHOC', idempotencyKey: 'k', members: ['HV-0420'] } },
];
// @ts-expect-error FederationOrder has no value DATE
export const badOrder: FederationsQueryVariables = { orderBy: 'DATE' };
