import { Arg, Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { LocalDateScalar } from '../../common/scalars';
import type { Context } from '../../context';
import { Association } from '../association/association.entity';
import { PolicyDocument } from '../consultation/policy-document.entity';
import { Federation } from '../federation/federation.entity';
import { Intellectual } from '../intellectual/intellectual.entity';
import { Congress, CongressDelegate, CongressResolution, GoverningBody, Seat, Term } from './governance.entity';
import { GoverningBodyKind } from './governance.enums';
import { BodySeatsArgs, CongressDelegatesArgs, OfficeHoldersArgs } from './governance.inputs';
import { BODY_IN_WORDS, shownPersonName } from './governance.policy';
import { GovernanceService } from './governance.service';
import { CongressDelegateConnection, CongressDelegateCount } from './governance.types';

/** A parent the viewer sees always has these (governance is public); a miss is a bug, not a policy answer. */
function present<T>(value: T | null, what: string): T {
  if (!value) throw new Error(`${what} missing`);
  return value;
}

const ROMAN: Array<[number, string]> = [
  [1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I'],
];

/** 3 → "III" (congresses are numbered so in Vietnamese usage). */
export function toRoman(n: number): string {
  let out = '';
  for (const [value, letters] of ROMAN) for (; n >= value; n -= value) out += letters;
  return out;
}

/** The name shown for a person on a seat or at a congress (shownPersonName), loading what it needs in batches; `otherwise` only when needed. */
async function shownName(ctx: Context, personId: number, associationId: number | null, otherwise: () => Promise<string> | string): Promise<string> {
  const [person, association] = await Promise.all([ctx.loaders.personNameById.load(personId), associationId ? ctx.loaders.associationById.load(associationId) : null]);
  return shownPersonName(ctx.viewer, person, association) ?? otherwise();
}

@Resolver(() => Federation)
export class FederationGovernanceResolver {
  @FieldResolver(() => [Congress], { description: "The federation's congresses, by ordinal (I, II, III…); a merged federation keeps its own." })
  congresses(@Root() f: Federation, @Ctx() ctx: Context): Promise<Congress[]> {
    return ctx.loaders.congressesOfFederation.load(f.id);
  }

  @FieldResolver(() => [Term], { description: "The federation's terms, oldest first; a merged federation keeps its own." })
  terms(@Root() f: Federation, @Ctx() ctx: Context): Promise<Term[]> {
    return ctx.loaders.termsOfFederation.load(f.id);
  }

  @FieldResolver(() => Term, { nullable: true, description: "The term held today (Vietnam's date); null when none is, e.g. between terms or for a merged federation." })
  currentTerm(@Root() f: Federation, @Ctx() ctx: Context): Promise<Term | null> {
    return ctx.loaders.currentTermOfFederation.load(f.id);
  }
}

@Resolver(() => Congress)
export class CongressResolver {
  @FieldResolver(() => Federation, { description: 'The federation whose congress it was.' })
  async federation(@Root() c: Congress, @Ctx() ctx: Context): Promise<Federation> {
    return present(await ctx.loaders.federationById.load(c.federation.id), `congress ${c.id}: federation`);
  }

  @FieldResolver(() => String, { description: 'The ordinal in Roman numerals, as congresses are numbered: "I", "II", "III"….' })
  ordinalRoman(@Root() c: Congress): string {
    return toRoman(c.ordinal);
  }

  @FieldResolver(() => Term, { nullable: true, description: 'The term the congress opened; null when none was recorded.' })
  term(@Root() c: Congress, @Ctx() ctx: Context): Promise<Term | null> {
    return ctx.loaders.termOfCongress.load(c.id);
  }

  @FieldResolver(() => CongressDelegateConnection, { description: 'The delegates, in the order they were recorded, optionally of one association or kind.' })
  async delegates(@Root() c: Congress, @Args(() => CongressDelegatesArgs) args: CongressDelegatesArgs, @Ctx() ctx: Context) {
    const filter = { associationCode: args.associationCode ?? null, kind: args.kind ?? null };
    const page = await ctx.loaders.delegatesOfCongress.load({ parentId: c.id, args: { first: args.first, after: args.after ?? null, ...filter } as CongressDelegatesArgs });
    return CongressDelegateConnection.build(page, () => ctx.loaders.delegateCountOfCongress.load({ parentId: c.id, args: filter }));
  }

  @FieldResolver(() => [CongressDelegateCount], {
    description: 'Delegates per association represented, by kind; associations by name, delegates who represent none last (association null).',
  })
  delegateCounts(@Root() c: Congress, @Ctx() ctx: Context): Promise<CongressDelegateCount[]> {
    return ctx.loaders.delegateCountsOfCongress.load(c.id);
  }

  @FieldResolver(() => Int, { description: 'How many delegates the congress had.' })
  async delegateCount(@Root() c: Congress, @Ctx() ctx: Context): Promise<number> {
    return (await ctx.loaders.delegateCountsOfCongress.load(c.id)).reduce((n, r) => n + r.total, 0);
  }

  @FieldResolver(() => [CongressResolution], { description: 'What the congress decided, in the order given.' })
  resolutions(@Root() c: Congress, @Ctx() ctx: Context): Promise<CongressResolution[]> {
    return ctx.loaders.resolutionsOfCongress.load(c.id);
  }
}

@Resolver(() => CongressDelegate)
export class CongressDelegateResolver {
  @FieldResolver(() => Congress, { description: 'The congress.' })
  async congress(@Root() d: CongressDelegate, @Ctx() ctx: Context): Promise<Congress> {
    return present(await ctx.loaders.congressById.load(d.congress.id), `delegate ${d.id}: congress`);
  }

  @FieldResolver(() => Intellectual, { nullable: true, description: 'The person; null when the caller may not see them (as for node(id) of that person).' })
  person(@Root() d: CongressDelegate, @Ctx() ctx: Context): Promise<Intellectual | null> {
    return ctx.loaders.intellectualById.load(d.intellectual.id);
  }

  @FieldResolver(() => String, {
    description:
      'The name shown for the delegate: the full name, except for callers without a key when the person has no public profile: then "Representative of <association>", or "Delegate to the congress" when they represent none.',
  })
  personName(@Root() d: CongressDelegate, @Ctx() ctx: Context): Promise<string> {
    return shownName(ctx, d.intellectual.id, d.association?.id ?? null, () => 'Delegate to the congress');
  }

  @FieldResolver(() => Association, { nullable: true, description: 'The member association represented; null for a delegate who represents none (e.g. an invited guest).' })
  association(@Root() d: CongressDelegate, @Ctx() ctx: Context): Promise<Association | null> | null {
    return d.association ? ctx.loaders.associationById.load(d.association.id) : null;
  }
}

@Resolver(() => CongressDelegateCount)
export class CongressDelegateCountResolver {
  @FieldResolver(() => Association, { nullable: true, description: 'The association represented; null for the delegates who represent none.' })
  association(@Root() r: CongressDelegateCount, @Ctx() ctx: Context): Promise<Association | null> | null {
    return r.associationId ? ctx.loaders.associationById.load(r.associationId) : null;
  }
}

@Resolver(() => CongressResolution)
export class CongressResolutionResolver {
  @FieldResolver(() => Congress, { description: 'The congress that adopted it.' })
  async congress(@Root() r: CongressResolution, @Ctx() ctx: Context): Promise<Congress> {
    return present(await ctx.loaders.congressById.load(r.congress.id), `resolution ${r.id}: congress`);
  }

  @FieldResolver(() => PolicyDocument, { nullable: true, description: 'The document adopted, from the consultation module; null when the resolution is a title and link only, or when the caller may not see the document.' })
  document(@Root() r: CongressResolution, @Ctx() ctx: Context): Promise<PolicyDocument | null> | null {
    return r.policyDocument ? ctx.loaders.policyDocumentById.load(r.policyDocument.id) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: "Its title: as given, else the document's title; null only when neither is given nor visible to the caller." })
  async title(@Root() r: CongressResolution, @Ctx() ctx: Context): Promise<string | null> {
    if (r.title) return r.title;
    return r.policyDocument ? ((await ctx.loaders.policyDocumentById.load(r.policyDocument.id))?.title ?? null) : null;
  }
}

@Resolver(() => Term)
export class TermResolver {
  @FieldResolver(() => Federation, { description: 'The federation of the term.' })
  async federation(@Root() t: Term, @Ctx() ctx: Context): Promise<Federation> {
    return present(await ctx.loaders.federationById.load(t.federation.id), `term ${t.id}: federation`);
  }

  @FieldResolver(() => Congress, { nullable: true, description: 'The congress that opened the term; null for a term recorded without one.' })
  congress(@Root() t: Term, @Ctx() ctx: Context): Promise<Congress | null> | null {
    return t.congress ? ctx.loaders.congressById.load(t.congress.id) : null;
  }

  @FieldResolver(() => [GoverningBody], { description: 'Its governing bodies: Executive Committee, Standing Committee, Standing Board, Inspection Committee, in that order.' })
  bodies(@Root() t: Term, @Ctx() ctx: Context): Promise<GoverningBody[]> {
    return ctx.loaders.bodiesOfTerm.load(t.id);
  }

  @FieldResolver(() => GoverningBody, { nullable: true, description: 'One of its governing bodies; null when the term has none of that kind.' })
  async body(@Root() t: Term, @Arg('kind', () => GoverningBodyKind, { description: 'Which body.' }) kind: GoverningBodyKind, @Ctx() ctx: Context): Promise<GoverningBody | null> {
    return (await ctx.loaders.bodiesOfTerm.load(t.id)).find((b) => b.kind === kind) ?? null;
  }

  @FieldResolver(() => [Association], {
    description:
      'Member associations of the federation on the date (active, members then, former members of a merged federation included) that had no Executive Committee seat of this term held that day, by name. A warning list, not a rule.',
  })
  representationGaps(
    @Root() t: Term,
    @Arg('on', () => LocalDateScalar, { nullable: true, description: "The date; by default today (Vietnam's date) moved into the term (its first day before it, its last day after it). A date outside the term lists every member association then (no seat of the term is held)." })
    on: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<Association[]> {
    return ctx.loaders.representationGapsOfTerm.load({ parentId: t.id, args: on ?? null });
  }
}

@Resolver(() => GoverningBody)
export class GoverningBodyResolver {
  @FieldResolver(() => Term, { description: 'The term of the body.' })
  async term(@Root() b: GoverningBody, @Ctx() ctx: Context): Promise<Term> {
    return present(await ctx.loaders.termById.load(b.term.id), `body ${b.id}: term`);
  }

  @FieldResolver(() => [Seat], { description: 'Seats on the body, by office (in the order of Office) then start date: all of them, or those held on a date, of some offices.' })
  seats(@Root() b: GoverningBody, @Args(() => BodySeatsArgs) args: BodySeatsArgs, @Ctx() ctx: Context): Promise<Seat[]> {
    // One key per distinct filter, whatever the order or repetition of offices: same-filter bodies batch together.
    const offices = args.offices?.length ? [...new Set(args.offices)].sort() : null;
    return ctx.loaders.seatsOfBody.load({ parentId: b.id, args: { on: args.on ?? null, offices } });
  }
}

@Resolver(() => Seat)
export class SeatResolver {
  @Query(() => [Seat], {
    description:
      'Who held office in a federation on a date: the seats held that day (start and end days included, within their term), by body, office and start date; optionally on some bodies, of some offices. An unknown code gives an empty list; a merged federation\'s code gives its own history.',
  })
  officeHolders(@Args(() => OfficeHoldersArgs) args: OfficeHoldersArgs, @Ctx() ctx: Context): Promise<Seat[]> {
    return new GovernanceService(ctx.em, ctx.viewer).officeHolders(args);
  }

  @FieldResolver(() => Intellectual, { nullable: true, description: 'The holder; null when the caller may not see the person (as for node(id) of that person).' })
  holder(@Root() s: Seat, @Ctx() ctx: Context): Promise<Intellectual | null> {
    return ctx.loaders.intellectualById.load(s.intellectual.id);
  }

  @FieldResolver(() => String, {
    description:
      'The name shown for the holder: the full name, except for callers without a key when the person has no public profile: then "Representative of <association>", or "Member of <the body>" when the seat represents none.',
  })
  holderName(@Root() s: Seat, @Ctx() ctx: Context): Promise<string> {
    return shownName(ctx, s.intellectual.id, s.association?.id ?? null, async () => {
      const body = await ctx.loaders.governingBodyById.load(s.body.id);
      return `Member of ${body ? BODY_IN_WORDS[body.kind] : 'a governing body'}`;
    });
  }

  @FieldResolver(() => Association, { nullable: true, description: 'The member association the holder represents; null when none (e.g. a nominated scientist).' })
  association(@Root() s: Seat, @Ctx() ctx: Context): Promise<Association | null> | null {
    return s.association ? ctx.loaders.associationById.load(s.association.id) : null;
  }

  @FieldResolver(() => GoverningBody, { nullable: true, description: 'The body that elected the holder, when filledBy is ELECTED_BY_BODY; else null.' })
  electedBy(@Root() s: Seat, @Ctx() ctx: Context): Promise<GoverningBody | null> | null {
    return s.electedBy ? ctx.loaders.governingBodyById.load(s.electedBy.id) : null;
  }

  @FieldResolver(() => GoverningBody, { description: 'The body the seat is on.' })
  async body(@Root() s: Seat, @Ctx() ctx: Context): Promise<GoverningBody> {
    return present(await ctx.loaders.governingBodyById.load(s.body.id), `seat ${s.id}: body`);
  }

  @FieldResolver(() => Term, { description: 'The term of the seat.' })
  async term(@Root() s: Seat, @Ctx() ctx: Context): Promise<Term> {
    return present(await ctx.loaders.termById.load(s.term.id), `seat ${s.id}: term`);
  }

  @FieldResolver(() => Federation, { description: 'The federation of the seat.' })
  async federation(@Root() s: Seat, @Ctx() ctx: Context): Promise<Federation> {
    return present(await ctx.loaders.federationById.load(s.federation.id), `seat ${s.id}: federation`);
  }
}

@Resolver(() => Intellectual)
export class IntellectualOfficesResolver {
  @FieldResolver(() => [Seat], { description: "The person's seats on governing bodies, across federations and terms, newest first; optionally only those held on a date." })
  offices(
    @Root() i: Intellectual,
    @Arg('on', () => LocalDateScalar, { nullable: true, description: 'Only seats held on this date; all when omitted.' }) on: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<Seat[]> {
    return ctx.loaders.officesOfIntellectual.load({ parentId: i.id, args: on ?? null });
  }
}
