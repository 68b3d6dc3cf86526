import { Embeddable, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { EmailAddressResolver } from 'graphql-scalars';
import { LocalDateScalar, URLScalar } from '../../common/scalars';

@Embeddable()
@ObjectType('Charter', { description: "An association's charter (điều lệ) and the decision approving it." })
export class Charter {
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Title of the charter.' })
  title?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Number and issuer of the decision approving it.' })
  approvingDecision?: string | null;

  @Property({ type: 'date', nullable: true })
  @Field(() => LocalDateScalar, { nullable: true, description: 'Date it was approved.' })
  approvedOn?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => URLScalar, { nullable: true, description: 'Where the charter text can be read.' })
  url?: string | null;

  constructor(init: Partial<Charter> = {}) {
    Object.assign(this, init);
  }
}

@Embeddable()
@ObjectType('Contact', { description: "An organisation's public contact details." })
export class Contact {
  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Postal address.' })
  address?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => EmailAddressResolver, { nullable: true, description: 'Public e-mail address of the organisation.' })
  email?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Public telephone number of the organisation.' })
  phone?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => URLScalar, { nullable: true, description: 'Website.' })
  website?: string | null;

  constructor(init: Partial<Contact> = {}) {
    Object.assign(this, init);
  }
}
