import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
import { AssociationResolver, FederationAssociationsResolver } from './modules/association/association.resolver';
import { FederationResolver } from './modules/federation/federation.resolver';
import { FieldResolver } from './modules/field/field.resolver';
import { AssociationMembersResolver, IntellectualResolver, MembershipResolver } from './modules/intellectual/intellectual.resolver';
import { NodeResolver } from './modules/node/node.resolver';
import { AssociationWriteResolver } from './modules/association/association-write.resolver';
import { AuditResolver } from './modules/audit/audit.resolver';
import { AuditEvent } from './modules/audit/audit-event.entity';
import { FederationWriteResolver } from './modules/federation/federation-write.resolver';
import { MembershipPushResolver } from './modules/intellectual/membership-push.resolver';
import { ViewerResolver } from './modules/key/key.resolver';
import {
  AssociationStatsFieldResolver,
  AssociationStatsResolver,
  FederationStatsFieldResolver,
  FederationStatsResolver,
} from './modules/stats/stats.resolver';
import { Association } from './modules/association/association.entity';
import { Federation } from './modules/federation/federation.entity';
import { Intellectual } from './modules/intellectual/intellectual.entity';
import { Membership } from './modules/intellectual/membership.entity';

export const RESOLVERS = [
  NodeResolver,
  FieldResolver,
  FederationResolver,
  AssociationResolver,
  FederationAssociationsResolver,
  IntellectualResolver,
  MembershipResolver,
  AssociationMembersResolver,
  FederationStatsFieldResolver,
  AssociationStatsFieldResolver,
  FederationStatsResolver,
  AssociationStatsResolver,
  ViewerResolver,
  MembershipPushResolver,
  AssociationWriteResolver,
  FederationWriteResolver,
  AuditResolver,
] as const;

let cached: GraphQLSchema | undefined;

/** The GraphQL schema: built once per process (type-graphql metadata is global anyway). */
export function buildSchema(): GraphQLSchema {
  cached ??= buildSchemaSync({
    resolvers: RESOLVERS as unknown as [Function, ...Function[]],
    // Types reachable only through the Node interface must still be in the schema.
    orphanedTypes: [Federation, Association, Intellectual, Membership, AuditEvent],
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
  });
  const query = cached.getQueryType();
  if (query) query.description = 'Entry points for reading the graph of federations, associations and intellectuals.';
  const mutation = cached.getMutationType();
  if (mutation) mutation.description = 'Writes: pushes from association apps (their own data only) and administration (ADMIN keys). Every write is audited.';
  return cached;
}

/** The schema as committed in schema/schema.graphql: sorted, so diffs show real changes only. */
export function printHubSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
