import { Args, ArgsType, Ctx, Field, FieldResolver, ID, InputType, Query, Resolver, Root } from 'type-graphql';
import { MaxChars } from '../../common/arg-rules';
import { DateTimeResolver } from 'graphql-scalars';
import { toGlobalId } from '../../common/node-id';
import { ConnectionType, PageArgs } from '../../common/pagination';
import type { Context } from '../../context';
import { AuditEvent } from './audit-event.entity';
import { AuditEntityType } from './audit.enums';
import { AuditService } from './audit.service';

export const AuditEventConnection = ConnectionType('AuditEvent', AuditEvent, 'audit event');

@InputType('AuditEventFilter', { description: 'Conditions on audit events; omitted ones do not filter.' })
export class AuditEventFilter {
  @Field(() => String, { nullable: true, description: 'Only writes that concerned this association.' })
  @MaxChars(64)
  associationCode?: string | null;

  @Field(() => AuditEntityType, { nullable: true, description: 'Only writes to entities of this kind.' })
  entityType?: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Only writes at or after this instant.' })
  since?: Date | null;
}

@ArgsType()
export class AuditEventsArgs extends PageArgs {
  @Field(() => AuditEventFilter, { nullable: true, description: 'Conditions on the events.' })
  filter?: AuditEventFilter | null;
}

@Resolver(() => AuditEvent)
export class AuditResolver {
  // Nullable: refused to other keys, it must not take the rest of a document's answer with it.
  @Query(() => AuditEventConnection, {
    nullable: true,
    description:
      'The audit log, newest first: all of it for ADMIN; for an association key, the events that concern its association (filed under it, about its memberships, or about its current members, whoever wrote them). Personal data is masked in every event. Null, with an error, for other callers.',
  })
  async auditEvents(@Args(() => AuditEventsArgs) args: AuditEventsArgs, @Ctx() ctx: Context) {
    const { page, count } = await new AuditService(ctx.em, ctx.viewer).list(args.filter, args);
    return AuditEventConnection.build(page, count);
  }

  @FieldResolver(() => ID, { description: 'Global id of the entity written (pass it to node(id:)).' })
  entityId(@Root() e: AuditEvent): string {
    return toGlobalId(e.entityType, e.entityId);
  }

  @FieldResolver(() => ID, { nullable: true, description: 'Id of the API key that made the write (as `keys list` shows it); null for the command line.' })
  keyId(@Root() e: AuditEvent): string | null {
    return e.keyId === null || e.keyId === undefined ? null : String(e.keyId);
  }
}
