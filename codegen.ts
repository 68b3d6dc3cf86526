import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations of `schema/operations/`, from the committed contract
 * (`npm run codegen`; CI compiles them with `tsc --strict`, codegen/tsconfig.json).
 * The output, `generated/`, is git-ignored: it is rebuilt from the schema and the operations.
 */

/** Every custom scalar of the schema, as the hub sends and takes it. `strictScalars` makes
 *  codegen fail on a new scalar missing here (it would otherwise come out `unknown`). */
const scalars = {
  Date: 'string', // YYYY-MM-DD, a calendar date (never a JavaScript Date at local midnight)
  DateTime: 'string', // ISO 8601 instant
  EmailAddress: 'string',
  URL: 'string',
  JSONObject: 'Record<string, unknown>',
};

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['schema/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'generated/graphql/': {
      preset: 'client',
      // Documents are read from .graphql files, not written inline: no fragment masking.
      presetConfig: { fragmentMasking: false },
      config: {
        scalars,
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
