import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Association } from '../association/association.entity';
import { Intellectual } from './intellectual.entity';
import { IntellectualMembershipsArgs, IntellectualsArgs, MembershipsArgs } from './intellectual.inputs';
import { IntellectualService } from './intellectual.service';
import { IntellectualConnection, MembershipConnection } from './intellectual.types';
import { Membership } from './membership.entity';

const pageKey = (args: MembershipsArgs | IntellectualMembershipsArgs) => ({ first: args.first, after: args.after, orderBy: args.orderBy, filter: args.filter ?? null }) as MembershipsArgs;

@Resolver(() => Intellectual)
export class IntellectualResolver {
  @Query(() => IntellectualConnection, {
    description: 'People (science and technology intellectuals), filtered and paged; by default in Vietnamese name order. Only people the caller may see are listed.',
  })
  async intellectuals(@Args(() => IntellectualsArgs) args: IntellectualsArgs, @Ctx() ctx: Context) {
    const { page, count } = await new IntellectualService(ctx.em, ctx.viewer).list(args);
    return IntellectualConnection.build(page, count);
  }

  @FieldResolver(() => MembershipConnection, { description: "This person's memberships in associations, by default most recently joined first." })
  async memberships(@Root() i: Intellectual, @Args(() => IntellectualMembershipsArgs) args: IntellectualMembershipsArgs, @Ctx() ctx: Context) {
    const page = await ctx.loaders.membershipsOfIntellectual.load({ parentId: i.id, args: pageKey(args) });
    return MembershipConnection.build(page, () => ctx.loaders.membershipCountOfIntellectual.load({ parentId: i.id, args: args.filter ?? null }));
  }
}

@Resolver(() => Membership)
export class MembershipResolver {
  @FieldResolver(() => Intellectual, { description: 'The member.' })
  async intellectual(@Root() m: Membership, @Ctx() ctx: Context): Promise<Intellectual> {
    // Pages of memberships carry their person, read in the same statement under the same policy.
    const ref: { id: number } = m.intellectual;
    if (ref instanceof Intellectual) return ref;
    const person = await ctx.loaders.intellectualById.load(ref.id);
    if (!person) throw new Error(`membership ${m.id}: intellectual ${ref.id} not visible`);
    return person;
  }

  @FieldResolver(() => Association, { description: 'The association the person belongs to.' })
  async association(@Root() m: Membership, @Ctx() ctx: Context): Promise<Association> {
    const a = await ctx.loaders.associationById.load(m.association.id);
    if (!a) throw new Error(`membership ${m.id}: association ${m.association.id} missing`);
    return a;
  }
}

/** Association.members: lives here, beside memberships. */
@Resolver(() => Association)
export class AssociationMembersResolver {
  @FieldResolver(() => MembershipConnection, { description: "The association's members (memberships), by default in Vietnamese name order." })
  async members(@Root() a: Association, @Args(() => MembershipsArgs) args: MembershipsArgs, @Ctx() ctx: Context) {
    const page = await ctx.loaders.membersOfAssociation.load({ parentId: a.id, args: pageKey(args) });
    return MembershipConnection.build(page, () => ctx.loaders.memberCountOfAssociation.load({ parentId: a.id, args: args.filter ?? null }));
  }
}
