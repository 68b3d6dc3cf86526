import { defineModule } from '../../common/module';
import { intellectualSqlRead } from './intellectual.sql-read';
import { seedDemo } from '../../db/seed/demo';
import { Intellectual } from './intellectual.entity';
import { intellectualLoaders } from './intellectual.loaders';
import { AssociationMembersResolver, IntellectualResolver, MembershipResolver } from './intellectual.resolver';
import { Membership } from './membership.entity';
import { MembershipPushResolver } from './membership-push.resolver';

/** People and their memberships (+ Association.members), and the member pushes of association apps. */
export const intellectualModule = defineModule({
  name: 'intellectual',
  entities: [Intellectual, Membership],
  resolvers: [IntellectualResolver, MembershipResolver, AssociationMembersResolver, MembershipPushResolver],
  loaders: ({ em, viewer }) => intellectualLoaders(em, viewer),
  sqlRead: intellectualSqlRead,
  nodeTypes: [
    { type: Intellectual, loader: 'intellectualById' },
    { type: Membership, loader: 'membershipById' },
  ],
  // No scope for Intellectual: a person belongs to no one association, and naming the association
  // that wrote would tell others where a person without a public profile is a member.
  changeScopes: { Membership: { table: 'membership', association: 't.association_id' } },
  audit: {
    entityTypes: { Intellectual: 'A person (`Intellectual`).', Membership: 'A membership of a person in an association (`Membership`).' },
    actions: { END: 'Ended a membership (endMemberships): status, leftOn and endReason.', REACTIVATE: 'Made an ended membership active again (it was pushed again by upsertMembers).' },
  },
  // The demo graph: the Sóc Trăng union under VUSTA, its associations and their members (the
  // three modules' data depend on one another, so they are drawn in one step, after all three).
  demoSeed: async (em) => void (await seedDemo(em)),
});
