import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../common/user-errors';
import { ConsultationRequest } from './consultation-request.entity';
import { Opinion } from './opinion.entity';
import { PanelMember } from './panel-member.entity';
import { PolicyDocument } from './policy-document.entity';

const USER_ERRORS = 'Every problem found in the input; empty on success. With any, nothing was written.';

@ObjectType('ConsultationRequestPayload', { description: 'The result of a change to a consultation request.' })
export class ConsultationRequestPayload {
  @Field(() => ConsultationRequest, {
    nullable: true,
    description: 'The request as it is now: changed on success; unchanged when refused (on CONFLICT, so the caller can read its version and retry); null when it does not exist.',
  })
  consultationRequest!: ConsultationRequest | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}

@ObjectType('PolicyDocumentPayload', { description: 'The result of putting a document under review in a request.' })
export class PolicyDocumentPayload {
  @Field(() => PolicyDocument, { nullable: true, description: 'The document attached (created when given whole); null when refused.' })
  document!: PolicyDocument | null;

  @Field(() => ConsultationRequest, { nullable: true, description: 'The request as it is now; null when it does not exist.' })
  consultationRequest!: ConsultationRequest | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}

@ObjectType('PanelMemberPayload', { description: "The result of a change to a request's review panel." })
export class PanelMemberPayload {
  @Field(() => PanelMember, { nullable: true, description: 'The seat added; null when refused, and after removePanelMember (the seat is gone).' })
  panelMember!: PanelMember | null;

  @Field(() => ConsultationRequest, { nullable: true, description: 'The request as it is now; null when it does not exist.' })
  consultationRequest!: ConsultationRequest | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}

@ObjectType('OpinionPayload', { description: 'The result of submitting or editing an opinion.' })
export class OpinionPayload {
  @Field(() => Opinion, {
    nullable: true,
    description: 'The opinion as it is now: new or changed on success; unchanged when an edit is refused (on CONFLICT, so the caller can read its version and retry); null otherwise.',
  })
  opinion!: Opinion | null;

  @Field(() => [UserError], { description: USER_ERRORS })
  userErrors!: UserError[];
}
