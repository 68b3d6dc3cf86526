import { defineModule } from '../../common/module';
import { FieldResolver } from './field.resolver';

/** The shared code list of science fields (OECD FOS 2007). */
export const fieldModule = defineModule({
  name: 'field',
  resolvers: [FieldResolver],
  // Fields' `fields` answer ScienceField objects as they are (compiled reads, common/sql-read.ts).
  sqlRead: { plainTypes: ['ScienceField'] },
});
