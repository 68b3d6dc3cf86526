import { Embeddable, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { LocalDateScalar } from './scalars';

/** A legal document: a decision, directive or charter approval. Stored inside its owner's row. */
@Embeddable()
@ObjectType('LegalDocument', { description: 'A legal document (decision, directive, charter approval): number, date, issuer and title.' })
export class LegalDocument {
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Document number as written on it, e.g. "192/QĐTC-CTUBND".' })
  number?: string | null;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Date the document was signed.' })
  date?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Who issued it, e.g. "Chủ tịch UBND tỉnh Sóc Trăng".' })
  issuer?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Title or subject of the document.' })
  title?: string | null;

  constructor(init: Partial<LegalDocument> = {}) {
    Object.assign(this, init);
  }
}
