import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { CreateAssociationInput, SetAssociationStatusInput, UpdateAssociationProfileInput } from './association-write.inputs';
import { AssociationWriteService } from './association-write.service';
import { AssociationPayload } from './association-write.types';

@Resolver()
export class AssociationWriteResolver {
  @Mutation(() => AssociationPayload, {
    description: "Changes an association's profile (ADMIN, or the association's own key), if it is still at expectedVersion; otherwise CONFLICT and nothing is written.",
  })
  updateAssociationProfile(@Arg('input', () => UpdateAssociationProfileInput, { description: 'The association, the version read, and the changes.' }) input: UpdateAssociationProfileInput, @Ctx() ctx: Context) {
    return new AssociationWriteService(ctx.em, ctx.viewer).updateProfile(input);
  }

  @Mutation(() => AssociationPayload, { description: 'Creates a member association (ADMIN only).' })
  createAssociation(@Arg('input', () => CreateAssociationInput, { description: 'The new association.' }) input: CreateAssociationInput, @Ctx() ctx: Context) {
    return new AssociationWriteService(ctx.em, ctx.viewer).create(input);
  }

  @Mutation(() => AssociationPayload, { description: "Changes an association's status: ACTIVE, SUSPENDED or DISSOLVED (ADMIN only)." })
  setAssociationStatus(@Arg('input', () => SetAssociationStatusInput, { description: 'The association and its new status.' }) input: SetAssociationStatusInput, @Ctx() ctx: Context) {
    return new AssociationWriteService(ctx.em, ctx.viewer).setStatus(input);
  }
}
