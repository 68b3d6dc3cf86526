import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { AddDelegatesInput, AddSeatInput, CreateCongressInput, CreateTermInput, EndSeatInput, UpdateSeatInput } from './governance-write.inputs';
import { GovernanceWriteService } from './governance-write.service';
import { AddDelegatesPayload, CreateCongressPayload, CreateTermPayload, SeatPayload } from './governance-write.types';

const service = (ctx: Context) => new GovernanceWriteService(ctx.em, ctx.viewer);

@Resolver()
export class GovernanceWriteResolver {
  @Mutation(() => CreateCongressPayload, {
    description:
      'Records a congress of a federation with its resolutions (ADMIN only), and unless openTerm is false the term it opens with its four bodies (TERMS_OVERLAP when another term of the federation shares a day). Its ordinal is unique in the federation (ALREADY_EXISTS).',
  })
  createCongress(@Arg('input', () => CreateCongressInput, { description: 'The congress, its resolutions, and the term it opens.' }) input: CreateCongressInput, @Ctx() ctx: Context) {
    return service(ctx).createCongress(input);
  }

  @Mutation(() => AddDelegatesPayload, {
    description:
      'Adds 1 to 1,000 delegates to a congress (ADMIN only), all or nothing: every bad row comes back in userErrors with its path (["delegates", 17, "intellectualId"]), and then none is added.',
  })
  addDelegates(@Arg('input', () => AddDelegatesInput, { description: 'The congress and its new delegates.' }) input: AddDelegatesInput, @Ctx() ctx: Context) {
    return service(ctx).addDelegates(input);
  }

  @Mutation(() => CreateTermPayload, {
    description: 'Records a term of a federation with its four governing bodies (ADMIN only); no other term of the federation may share a day with it (TERMS_OVERLAP).',
  })
  createTerm(@Arg('input', () => CreateTermInput, { description: 'The federation, the congress that opened the term, and its dates.' }) input: CreateTermInput, @Ctx() ctx: Context) {
    return service(ctx).createTerm(input);
  }

  @Mutation(() => SeatPayload, {
    description:
      'Adds a seat to a governing body (ADMIN only), refused when the body has no such office (INVALID_OFFICE), its dates leave the term (OUTSIDE_TERM), a Standing Committee seat has no Executive Committee seat under it (NOT_ON_EXECUTIVE_COMMITTEE), a one-holder office is held by another person on one of its days (OFFICE_TAKEN), or the person already sits on the body then (ALREADY_EXISTS).',
  })
  addSeat(@Arg('input', () => AddSeatInput, { description: 'The body, the holder, the office, how it was filled and the dates.' }) input: AddSeatInput, @Ctx() ctx: Context) {
    return service(ctx).addSeat(input);
  }

  @Mutation(() => SeatPayload, { description: 'Ends a seat on a day inside its term, with the reason (ADMIN only); a seat ended already is INVALID_TRANSITION (change its end with updateSeat).' })
  endSeat(@Arg('input', () => EndSeatInput, { description: 'The seat, its last day and why.' }) input: EndSeatInput, @Ctx() ctx: Context) {
    return service(ctx).endSeat(input);
  }

  @Mutation(() => SeatPayload, {
    description: 'Changes a seat if it is still at expectedVersion (CONFLICT otherwise, with the seat as it is now), checking every rule of addSeat again on the result (ADMIN only).',
  })
  updateSeat(@Arg('input', () => UpdateSeatInput, { description: 'The seat, the version read, and the changes.' }) input: UpdateSeatInput, @Ctx() ctx: Context) {
    return service(ctx).updateSeat(input);
  }
}
