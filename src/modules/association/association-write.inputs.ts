import { IdempotentInput } from '../../common/mutation';
import { Field, InputType, Int } from 'type-graphql';
import { EmailAddressResolver } from 'graphql-scalars';
import { LocalDateScalar, URLScalar } from '../../common/scalars';
import { AssociationStatus } from './association.enums';

@InputType('CharterInput', { description: "An association's charter. Omitted fields keep their value; null clears them." })
export class CharterInput {
  @Field(() => String, { nullable: true, description: 'Title of the charter.' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'Number and issuer of the approving decision.' })
  approvingDecision?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Approval date, not in the future.' })
  approvedOn?: string | null;

  @Field(() => URLScalar, { nullable: true, description: 'Where the charter text can be read: an http(s) URL.' })
  url?: string | null;
}

@InputType('ContactInput', { description: 'Public contact details. Omitted fields keep their value; null clears them.' })
export class ContactInput {
  @Field(() => String, { nullable: true, description: 'Postal address.' })
  address?: string | null;

  @Field(() => EmailAddressResolver, { nullable: true, description: 'Public e-mail address.' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'Public telephone number.' })
  phone?: string | null;

  @Field(() => URLScalar, { nullable: true, description: 'Website, http(s).' })
  website?: string | null;
}

@InputType('UpdateAssociationProfileInput', {
  description: "Changes to an association's own profile, guarded by its version. Omitted fields keep their value; null clears optional ones.",
})
export class UpdateAssociationProfileInput extends IdempotentInput {
  @Field(() => String, { description: 'The association to change; an ASSOCIATION key may change only its own.' })
  code!: string;

  @Field(() => Int, { description: 'The `version` the caller last read; if the association changed since, nothing is written and CONFLICT comes back.' })
  expectedVersion!: number;

  @Field(() => String, { nullable: true, description: 'Full Vietnamese name (never empty).' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'English name.' })
  nameEn?: string | null;

  @Field(() => String, { nullable: true, description: 'Short name.' })
  shortName?: string | null;

  @Field(() => [String], { nullable: true, description: 'Fields of activity, OECD FOS 2007 codes.' })
  fields?: string[] | null;

  @Field(() => CharterInput, { nullable: true, description: 'Charter details to change.' })
  charter?: CharterInput | null;

  @Field(() => ContactInput, { nullable: true, description: 'Contact details to change.' })
  contact?: ContactInput | null;
}

@InputType('CreateAssociationInput', { description: 'A new member association (ADMIN only).' })
export class CreateAssociationInput extends IdempotentInput {
  @Field(() => String, { description: 'Human-readable code, unique across the hub: 2 to 40 capital letters, digits and dashes, e.g. "ST-YHOC".' })
  code!: string;

  @Field(() => String, { description: 'Full Vietnamese name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'English name.' })
  nameEn?: string | null;

  @Field(() => String, { nullable: true, description: 'Short name.' })
  shortName?: string | null;

  @Field(() => String, { description: 'Code of the federation it joins.' })
  federationCode!: string;

  @Field(() => [String], { nullable: true, description: 'Fields of activity, OECD FOS 2007 codes.' })
  fields?: string[] | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Date it joined the federation, not in the future.' })
  joinedOn?: string | null;

  @Field(() => CharterInput, { nullable: true, description: 'Its charter.' })
  charter?: CharterInput | null;

  @Field(() => ContactInput, { nullable: true, description: 'Its public contact details.' })
  contact?: ContactInput | null;
}

@InputType('SetAssociationStatusInput', { description: "Changes an association's status (ADMIN only)." })
export class SetAssociationStatusInput extends IdempotentInput {
  @Field(() => String, { description: 'The association.' })
  code!: string;

  @Field(() => AssociationStatus, { description: 'The new status. A DISSOLVED association cannot change status again.' })
  status!: AssociationStatus;

  @Field(() => String, { nullable: true, description: 'Why (kept in the audit log), at most 500 characters.' })
  reason?: string | null;
}
