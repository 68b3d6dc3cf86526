import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { fromGlobalId } from '../../common/node-id';
import type { Context } from '../../context';
import { Association } from '../association/association.entity';
import { Federation } from '../federation/federation.entity';
import { Intellectual } from '../intellectual/intellectual.entity';
import { AssignmentRole } from './consultation.enums';
import { ConsultationRequestsArgs, ExpertCandidatesArgs, OpinionsArgs } from './consultation.inputs';
import { ConsultationService } from './consultation.service';
import { AgencyResponse, ConflictDeclaration, ConsultationRequestConnection, ExpertCandidateConnection, OpinionConnection } from './consultation.types';
import { ConsultationReport, Recommendation } from './consultation-report.entity';
import { ConsultationRequest, ConsultationTransition } from './consultation-request.entity';
import { Opinion, OpinionRevision } from './opinion.entity';
import { PanelMember } from './panel-member.entity';
import { PolicyDocument, PolicyDocumentSection } from './policy-document.entity';

const requestPageKey = (args: ConsultationRequestsArgs) => ({ first: args.first, after: args.after, orderBy: args.orderBy, filter: args.filter ?? null }) as ConsultationRequestsArgs;

/** A parent the viewer sees always has these; a miss is a bug, not a policy answer. */
function present<T>(value: T | null, what: string): T {
  if (!value) throw new Error(`${what} missing`);
  return value;
}

@Resolver(() => ConsultationRequest)
export class ConsultationRequestResolver {
  @Query(() => ConsultationRequestConnection, {
    description:
      'Consultation, social critique and social assessment requests, filtered and paged; by default newest received first. Only requests the caller may see are listed (CONFIDENTIAL ones only for ADMIN, ANALYST and the associations involved).',
  })
  async consultationRequests(@Args(() => ConsultationRequestsArgs) args: ConsultationRequestsArgs, @Ctx() ctx: Context) {
    const { page, count } = await new ConsultationService(ctx.em, ctx.viewer).list(args);
    return ConsultationRequestConnection.build(page, count);
  }

  @Query(() => ConsultationRequest, { nullable: true, description: 'One consultation request by its global id; null when unknown or not visible to the caller.' })
  async consultationRequest(@Arg('id', () => ID, { description: 'The global id of a ConsultationRequest.' }) id: string, @Ctx() ctx: Context): Promise<ConsultationRequest | null> {
    const decoded = fromGlobalId(id);
    return decoded?.type === ConsultationRequest.name ? ctx.loaders.consultationRequestById.load(decoded.id) : null;
  }

  @Query(() => ExpertCandidateConnection, {
    description:
      "People who could sit on a request's review panel (ADMIN and ANALYST keys): those whose fields of expertise overlap the request's fields (or `fields`), " +
      'best overlap first, then highest degree, academic title and Vietnamese name; people on the panel and those who declared a conflict of interest on it are left out.',
  })
  async expertCandidates(@Args(() => ExpertCandidatesArgs) args: ExpertCandidatesArgs, @Ctx() ctx: Context) {
    const { page, count } = await new ConsultationService(ctx.em, ctx.viewer).expertCandidates(args);
    return ExpertCandidateConnection.build(page, count);
  }

  @FieldResolver(() => Federation, { description: 'The federation the request was made to.' })
  async federation(@Root() r: ConsultationRequest, @Ctx() ctx: Context): Promise<Federation> {
    return present(await ctx.loaders.federationById.load(r.federation.id), `request ${r.id}: federation`);
  }

  @FieldResolver(() => [PolicyDocument], { description: 'The documents under review, in the order added.' })
  documents(@Root() r: ConsultationRequest, @Ctx() ctx: Context): Promise<PolicyDocument[]> {
    return ctx.loaders.documentsOfRequest.load(r.id);
  }

  @FieldResolver(() => Association, { nullable: true, description: 'The association leading the review; null until one is assigned.' })
  async leadAssociation(@Root() r: ConsultationRequest, @Ctx() ctx: Context): Promise<Association | null> {
    return (await ctx.loaders.assignmentsOfRequest.load(r.id)).find((a) => a.role === AssignmentRole.LEAD)?.association ?? null;
  }

  @FieldResolver(() => [Association], { description: 'The associations contributing to the review, in Vietnamese name order.' })
  async contributingAssociations(@Root() r: ConsultationRequest, @Ctx() ctx: Context): Promise<Association[]> {
    return (await ctx.loaders.assignmentsOfRequest.load(r.id)).filter((a) => a.role === AssignmentRole.CONTRIBUTOR).map((a) => a.association);
  }

  @FieldResolver(() => [PanelMember], {
    description: 'The review panel: chair, secretary, then members. Empty for callers who do not see the inside of the request (the public, associations not involved).',
  })
  panel(@Root() r: ConsultationRequest, @Ctx() ctx: Context): Promise<PanelMember[]> {
    return ctx.loaders.panelOfRequest.load(r.id);
  }

  @FieldResolver(() => [ConflictDeclaration], { description: 'Conflicts of interest declared on the request, in the order declared. Empty for callers who do not see its inside.' })
  conflictsOfInterest(@Root() r: ConsultationRequest, @Ctx() ctx: Context): Promise<ConflictDeclaration[]> {
    return ctx.loaders.conflictsOfRequest.load(r.id);
  }

  @FieldResolver(() => OpinionConnection, { description: 'Opinions on the request, in the order given. Empty for callers who do not see its inside.' })
  async opinions(@Root() r: ConsultationRequest, @Args(() => OpinionsArgs) args: OpinionsArgs, @Ctx() ctx: Context) {
    const key = { first: args.first, after: args.after, filter: args.filter ?? null } as OpinionsArgs;
    const page = await ctx.loaders.opinionsOfRequest.load({ parentId: r.id, args: key });
    return OpinionConnection.build(page, () => ctx.loaders.opinionCountOfRequest.load({ parentId: r.id, args: args.filter ?? null }));
  }

  @FieldResolver(() => [ConsultationTransition], { description: 'Every move of the lifecycle, its creation first. Empty for callers who do not see the inside of the request.' })
  history(@Root() r: ConsultationRequest, @Ctx() ctx: Context): Promise<ConsultationTransition[]> {
    return ctx.loaders.historyOfRequest.load(r.id);
  }

  @FieldResolver(() => ConsultationReport, {
    nullable: true,
    description: 'The final report: null until one is written; the draft only for callers who see the inside, and for anyone once submitted (REPORT_SUBMITTED and after).',
  })
  report(@Root() r: ConsultationRequest, @Ctx() ctx: Context): Promise<ConsultationReport | null> {
    return ctx.loaders.reportOfRequest.load(r.id);
  }

  @FieldResolver(() => AgencyResponse, { nullable: true, description: "The agency's answer to the report: null until recorded, and for callers who do not see the inside of the request." })
  response(@Root() r: ConsultationRequest, @Ctx() ctx: Context): Promise<AgencyResponse | null> {
    return ctx.loaders.responseOfRequest.load(r.id);
  }
}

@Resolver(() => ConsultationReport)
export class ConsultationReportResolver {
  @FieldResolver(() => [Recommendation], { description: 'The recommendations, by number.' })
  recommendations(@Root() rep: ConsultationReport, @Ctx() ctx: Context): Promise<Recommendation[]> {
    return ctx.loaders.recommendationsOfRequest.load(rep.request.id);
  }
}

@Resolver(() => Recommendation)
export class RecommendationResolver {
  @FieldResolver(() => PolicyDocumentSection, { nullable: true, description: 'The section of a document under review the recommendation is about; null when none.' })
  section(@Root() rec: Recommendation, @Ctx() ctx: Context): Promise<PolicyDocumentSection | null> | null {
    return rec.section ? ctx.loaders.policyDocumentSectionById.load(rec.section.id) : null;
  }
}

@Resolver(() => PolicyDocument)
export class PolicyDocumentResolver {
  @FieldResolver(() => [PolicyDocumentSection], { description: 'The numbered sections, in the order of the document.' })
  sections(@Root() d: PolicyDocument, @Ctx() ctx: Context): Promise<PolicyDocumentSection[]> {
    return ctx.loaders.sectionsOfDocument.load(d.id);
  }
}

@Resolver(() => PolicyDocumentSection)
export class PolicyDocumentSectionResolver {
  @FieldResolver(() => PolicyDocument, { description: 'The document the section belongs to.' })
  async document(@Root() s: PolicyDocumentSection, @Ctx() ctx: Context): Promise<PolicyDocument> {
    return present(await ctx.loaders.policyDocumentById.load(s.document.id), `section ${s.id}: document`);
  }
}

@Resolver(() => PanelMember)
export class PanelMemberResolver {
  @FieldResolver(() => Intellectual, { nullable: true, description: 'The person; null when the caller may not see them (as for `node(id)` of that person).' })
  intellectual(@Root() m: PanelMember, @Ctx() ctx: Context): Promise<Intellectual | null> {
    return ctx.loaders.intellectualById.load(m.intellectual.id);
  }

  @FieldResolver(() => ConsultationRequest, { description: 'The request whose panel this is.' })
  async request(@Root() m: PanelMember, @Ctx() ctx: Context): Promise<ConsultationRequest> {
    return present(await ctx.loaders.consultationRequestById.load(m.request.id), `panel seat ${m.id}: request`);
  }

  @FieldResolver(() => DateTimeResolver, { description: 'When the person was seated.' })
  since(@Root() m: PanelMember): Date {
    return m.createdAt;
  }
}

@Resolver(() => ConflictDeclaration)
export class ConflictDeclarationResolver {
  @FieldResolver(() => Intellectual, { nullable: true, description: 'The person who declared it; null when the caller may not see them.' })
  intellectual(@Root() c: ConflictDeclaration, @Ctx() ctx: Context): Promise<Intellectual | null> {
    return ctx.loaders.intellectualById.load(c.intellectualId);
  }
}

@Resolver(() => Opinion)
export class OpinionResolver {
  @FieldResolver(() => PolicyDocumentSection, { nullable: true, description: 'The section of a document under review the opinion is about; null when it is about the whole.' })
  section(@Root() o: Opinion, @Ctx() ctx: Context): Promise<PolicyDocumentSection | null> | null {
    return o.section ? ctx.loaders.policyDocumentSectionById.load(o.section.id) : null;
  }

  @FieldResolver(() => Association, { nullable: true, description: 'The association that gave or submitted it; null when ADMIN entered a panel member’s opinion.' })
  association(@Root() o: Opinion, @Ctx() ctx: Context): Promise<Association | null> | null {
    return o.association ? ctx.loaders.associationById.load(o.association.id) : null;
  }

  @FieldResolver(() => Intellectual, {
    nullable: true,
    description: "The panel member whose opinion it is; null for an association's own, and when the caller may not see the person.",
  })
  author(@Root() o: Opinion, @Ctx() ctx: Context): Promise<Intellectual | null> | null {
    return o.author ? ctx.loaders.intellectualById.load(o.author.id) : null;
  }

  @FieldResolver(() => DateTimeResolver, { description: 'When it was first submitted.' })
  createdAt(@Root() o: Opinion): Date {
    return o.createdAt;
  }

  @FieldResolver(() => DateTimeResolver, { description: 'When it was last edited (its submission if never).' })
  updatedAt(@Root() o: Opinion): Date {
    return o.updatedAt;
  }

  @FieldResolver(() => [OpinionRevision], { description: 'Its earlier texts, oldest first (empty when never edited).' })
  history(@Root() o: Opinion, @Ctx() ctx: Context): Promise<OpinionRevision[]> {
    return ctx.loaders.revisionsOfOpinion.load(o.id);
  }

  @FieldResolver(() => ConsultationRequest, { description: 'The request it is about.' })
  async request(@Root() o: Opinion, @Ctx() ctx: Context): Promise<ConsultationRequest> {
    return present(await ctx.loaders.consultationRequestById.load(o.request.id), `opinion ${o.id}: request`);
  }
}

@Resolver(() => OpinionRevision)
export class OpinionRevisionResolver {
  @FieldResolver(() => PolicyDocumentSection, { nullable: true, description: 'The section that version was about; null when none.' })
  section(@Root() rv: OpinionRevision, @Ctx() ctx: Context): Promise<PolicyDocumentSection | null> | null {
    return rv.section ? ctx.loaders.policyDocumentSectionById.load(rv.section.id) : null;
  }
}

/** Association.consultationRequests: lives here, beside the requests. */
@Resolver(() => Association)
export class AssociationConsultationRequestsResolver {
  @FieldResolver(() => ConsultationRequestConnection, { description: 'Requests assigned to this association (lead or contributor) that the caller may see, filtered and paged.' })
  async consultationRequests(@Root() a: Association, @Args(() => ConsultationRequestsArgs) args: ConsultationRequestsArgs, @Ctx() ctx: Context) {
    const page = await ctx.loaders.consultationRequestsOfAssociation.load({ parentId: a.id, args: requestPageKey(args) });
    return ConsultationRequestConnection.build(page, () => ctx.loaders.consultationRequestCountOfAssociation.load({ parentId: a.id, args: args.filter ?? null }));
  }
}

/** Intellectual.panelSeats: lives here, beside the panels. */
@Resolver(() => Intellectual)
export class IntellectualPanelSeatsResolver {
  @FieldResolver(() => [PanelMember], { description: "The person's seats on review panels the caller may see (as `ConsultationRequest.panel`), newest first." })
  panelSeats(@Root() i: Intellectual, @Ctx() ctx: Context): Promise<PanelMember[]> {
    return ctx.loaders.panelSeatsOfIntellectual.load(i.id);
  }
}
