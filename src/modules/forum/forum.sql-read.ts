import type { SqlReadContribution } from '../../common/sql-read';

export const forumSqlRead: SqlReadContribution = {};
