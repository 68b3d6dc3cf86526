import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { CreateFederationInput } from './federation-write.inputs';
import { FederationWriteService } from './federation-write.service';
import { FederationPayload } from './federation-write.types';

@Resolver()
export class FederationWriteResolver {
  @Mutation(() => FederationPayload, { description: 'Creates a federation (ADMIN only).' })
  createFederation(@Arg('input', () => CreateFederationInput, { description: 'The new federation.' }) input: CreateFederationInput, @Ctx() ctx: Context) {
    return new FederationWriteService(ctx.em, ctx.viewer).create(input);
  }
}
