/**
 * SQL texts of fixed shape that PostgreSQL keeps prepared per connection, by name: the multi-row statements of
 * compiledRows (a few sizes per statement, so a bounded set). Sent unnamed, each run was parsed and analysed
 * again (up to 4,096 parameters) and planned again: about a fifth of the server's time in the pipeline. Texts
 * whose count of shapes is open (IN lists of any length) are not named: a connection never forgets a statement.
 */
const names = new Map<string, string>();

/** Marks `sql` as one to keep prepared. */
export const nameStatement = (sql: string): void => {
  if (!names.has(sql)) names.set(sql, `parley_${names.size.toString(36)}`);
};

/** The name `sql` is prepared under, if it is one of those. */
export const statementName = (sql: string): string | undefined => names.get(sql);
