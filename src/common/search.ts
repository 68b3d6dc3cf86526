import type { Knex } from '@mikro-orm/postgresql';
import { badInput } from './errors';
import { SortSpec } from './pagination';
import { normalizeText } from './text';

/**
 * Name search: case- and diacritic-insensitive substring match ("nguyen van duc" finds
 * "Nguyễn Văn Đức", "d" matches "đ"). The database folds both sides with f_fold()
 * (lower(unaccent(…)), IMMUTABLE, created by a migration) and a trigram GIN index on
 * f_fold(<name column>) serves the LIKE.
 */

export const SEARCH_MIN_LENGTH = 2;
export const SEARCH_MAX_LENGTH = 100;

/**
 * What is left of a term once folded as f_fold() folds it: diacritics dropped, punctuation and
 * symbols (LIKE's `%` and `_` included) turned into spaces, runs of spaces one, trimmed. Only
 * these characters are matched, so the minimum length counts them: `"a%"` is one character.
 */
export function foldedTerm(term: string): string {
  return term
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[\s\p{P}\p{S}]+/gu, ' ')
    .trim();
}

/** Normalises a search term, or throws BAD_USER_INPUT when it is too short or too long. */
export function searchTerm(raw: string, argumentName = 'filter.search'): string {
  const term = normalizeText(raw);
  if ([...term].length > SEARCH_MAX_LENGTH) {
    throw badInput(`search must have at most ${SEARCH_MAX_LENGTH} characters`, { argumentName });
  }
  const folded = foldedTerm(term);
  if (!/[\p{L}\p{N}]/u.test(folded)) {
    throw badInput('search must contain a letter or a digit', { argumentName });
  }
  if ([...folded].length < SEARCH_MIN_LENGTH) {
    throw badInput(`search must have at least ${SEARCH_MIN_LENGTH} characters besides punctuation, which counts as a space ("a%" has 1)`, { argumentName });
  }
  return term;
}

/**
 * Keeps the rows whose `column` contains `term`, both folded (`folded`: the column holds f_fold(name) already). Folding turns punctuation
 * (LIKE's % and _ included) into spaces, so a term cannot smuggle in wildcards.
 */
export function whereNameMatches(q: Knex.QueryBuilder, column: string, term: string, folded = false): Knex.QueryBuilder {
  return q.whereRaw(`${folded ? column : `f_fold(${column})`} like '%' || btrim(f_fold(?)) || '%'`, [term]);
}

/** The sort of a search: best match first (folded similarity, then similarity with diacritics, so "Đức" wins over "Dục" for "Đức"), ties by id. */
export function rankedSort(alias: string, key: string): SortSpec {
  return {
    key,
    direction: 'desc',
    columns: [
      { column: 'search_rank', type: 'decimal', sql: `${alias}.search_rank` },
      { column: 'search_exact', type: 'decimal', sql: `${alias}.search_exact` },
      { column: 'id', type: 'int', sql: `${alias}.id` },
    ],
  };
}

/**
 * Wraps a filtered query so that its rows carry `search_rank` and `search_exact` (similarity to the term) and can
 * be paged by it: `select * from (<base>, similarity(…) as search_rank) as <alias>`.
 */
export function withSearchRank(knex: Knex, base: Knex.QueryBuilder, alias: string, column: string, term: string, foldedColumn?: string): Knex.QueryBuilder {
  const folded = foldedColumn ?? `f_fold(${column})`;
  const inner = base
    .clone()
    // Rounded numerics, not floats: a cursor must compare equal to the row it came from.
    .select(
      knex.raw(
        `round(similarity(${folded}, f_fold(?))::numeric, 6) as search_rank, round(similarity(lower(${column}), lower(?))::numeric, 6) as search_exact`,
        [term, term],
      ),
    );
  return knex.select(`${alias}.*`).from(inner.as(alias));
}
