import { IdempotentInput } from '../../common/mutation';
import { Field, InputType } from 'type-graphql';
import { LocalDateScalar } from '../../common/scalars';
import { FederationLevel } from './federation.enums';

@InputType('LegalDocumentInput', { description: 'A legal document: number, date, issuer, title (all optional).' })
export class LegalDocumentInput {
  @Field(() => String, { nullable: true, description: 'Document number, e.g. "192/QĐTC-CTUBND".' })
  number?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Date signed, not in the future.' })
  date?: string | null;

  @Field(() => String, { nullable: true, description: 'Issuer.' })
  issuer?: string | null;

  @Field(() => String, { nullable: true, description: 'Title.' })
  title?: string | null;
}

@InputType('CreateFederationInput', { description: 'A new federation (ADMIN only).' })
export class CreateFederationInput extends IdempotentInput {
  @Field(() => String, { description: 'Unique code: 2 to 40 capital letters, digits and dashes.' })
  code!: string;

  @Field(() => String, { description: 'Full Vietnamese name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'English name.' })
  nameEn?: string | null;

  @Field(() => String, { nullable: true, description: 'Short name.' })
  shortName?: string | null;

  @Field(() => FederationLevel, { description: 'National or provincial.' })
  level!: FederationLevel;

  @Field(() => String, { nullable: true, description: 'Province or city of a provincial union.' })
  province?: string | null;

  @Field(() => String, { nullable: true, description: 'Code of the federation it belongs to (e.g. VUSTA).' })
  parentCode?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Founding date, not in the future.' })
  foundedOn?: string | null;

  @Field(() => LegalDocumentInput, { nullable: true, description: 'The founding decision.' })
  foundingDecision?: LegalDocumentInput | null;

  @Field(() => String, { nullable: true, description: 'Description, in Vietnamese.' })
  description?: string | null;
}
