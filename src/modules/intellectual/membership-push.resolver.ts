import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { EndMembershipsInput, UpsertMembersInput } from './membership-push.inputs';
import { MembershipPushService } from './membership-push.service';
import { EndMembershipsPayload, PushResult, UpsertMembersPayload } from './membership-push.types';

@Resolver(() => PushResult)
export class MembershipPushResolver {
  @Mutation(() => UpsertMembersPayload, {
    description:
      "Creates or updates an association's members by externalId (ADMIN, or the association's own key). All or nothing: any invalid row writes nothing and every problem comes back in userErrors. Identical pushes change nothing; an ended member pushed again is reactivated; members absent from the push are untouched.",
  })
  upsertMembers(@Arg('input', () => UpsertMembersInput, { description: 'The association, an idempotency key and the members.' }) input: UpsertMembersInput, @Ctx() ctx: Context) {
    return new MembershipPushService(ctx.em, ctx.viewer).upsertMembers(input);
  }

  @Mutation(() => EndMembershipsPayload, {
    description: "Ends memberships of an association (ADMIN, or the association's own key); the records and their history stay. All or nothing.",
  })
  endMemberships(@Arg('input', () => EndMembershipsInput, { description: 'The association, the externalIds, the date and reason.' }) input: EndMembershipsInput, @Ctx() ctx: Context) {
    return new MembershipPushService(ctx.em, ctx.viewer).endMemberships(input);
  }

  /**
   * Responses stored for idempotency keys before PushResult.id became intellectualId (2026-12-02)
   * hold `id`: a replay of one within its 24 hours still answers. Remove once this version has served for 24 hours.
   */
  @FieldResolver()
  intellectualId(@Root() r: PushResult & { id?: string }): string {
    return r.intellectualId ?? r.id!;
  }
}
