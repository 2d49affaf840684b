/** What a migration's statements may depend on. */
export interface MigrationContext {
  retentionDays: number;
  /** The database the tables are in (for names a statement must qualify, as in `joinGet`). */
  database: string;
}

/**
 * One schema version. Statements must be safe to run again (`IF NOT EXISTS`, back-fills into
 * tables that collapse duplicates): a migration interrupted half-way is simply run again.
 */
export interface Migration {
  version: number;
  name: string;
  statements: (context: MigrationContext) => string[];
}
