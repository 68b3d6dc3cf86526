import { Field, ObjectType } from 'type-graphql';
import { FieldDef, fieldByCode } from './field.data';

const FIELDS_BY_CODE = new Map<string, ScienceField>();

@ObjectType('ScienceField', {
  description:
    'A field of science and technology from the OECD Fields of Science and Technology (FOS 2007), top two levels, ' +
    "which Vietnam's classification of S&T fields follows. Shared by associations (fields of activity) and intellectuals (fields of expertise).",
})
export class ScienceField {
  @Field(() => String, { description: 'OECD FOS code: "2" for a major field, "2.3" for a field within it.' })
  code!: string;

  @Field(() => String, { description: 'Vietnamese label, e.g. "Kỹ thuật cơ khí".' })
  labelVi!: string;

  @Field(() => String, { description: 'English label, e.g. "Mechanical engineering".' })
  labelEn!: string;

  @Field(() => ScienceField, { nullable: true, description: 'The major field this field belongs to; null for a major field.' })
  get parent(): ScienceField | null {
    const dot = this.code.indexOf('.');
    return dot < 0 ? null : ScienceField.of(this.code.slice(0, dot));
  }

  static fromDef(def: FieldDef): ScienceField {
    return Object.assign(new ScienceField(), { code: def.code, labelVi: def.vi, labelEn: def.en });
  }

  /** The field for a stored code; codes are validated on write, so an unknown one is a bug. */
  static of(code: string): ScienceField {
    // One object per code, shared: every person and association lists a few of ~50 codes, and
    // nothing changes a ScienceField once made.
    let field = FIELDS_BY_CODE.get(code);
    if (!field) {
      field = Object.freeze(ScienceField.fromDef(fieldByCode(code) ?? { code, vi: code, en: code }));
      if (FIELDS_BY_CODE.size < 1000) FIELDS_BY_CODE.set(code, field);
    }
    return field;
  }
}
