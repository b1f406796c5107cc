/**
 * Errors of the database layer, on one base class ({@link DatabaseError}) with a literal `name`, a short message,
 * optional details and the underlying `cause`.
 */

/** Base class of every database-layer error. */
export class DatabaseError extends Error {
  override name: string = 'DatabaseError';
  /** The message without details. */
  readonly shortMessage: string;
  /** Extra context (e.g. the driver's message). */
  readonly details: string | undefined;

  constructor(shortMessage: string, options: { cause?: unknown; details?: string | undefined } = {}) {
    const details = options.details ?? (options.cause instanceof Error ? options.cause.message : undefined);
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = details;
  }

  /** Walks the `cause` chain and returns the deepest error, or the first for which `fn` returns true. */
  walk(fn?: (error: unknown) => boolean): unknown {
    let error: unknown = this;
    while (error instanceof Error) {
      if (fn?.(error)) return error;
      if (!error.cause) return fn ? null : error;
      error = error.cause;
    }
    return fn ? null : error;
  }
}

/** Thrown when the database cannot be opened or reached. */
export class DatabaseOpenError extends DatabaseError {
  override name = 'DatabaseOpenError' as const;
}

/** Thrown when a migration fails; the database is left at the last migration that succeeded. */
export class MigrationError extends DatabaseError {
  override name = 'MigrationError' as const;
  /** Name of the migration that failed, if known. */
  readonly migration: string | undefined;
  constructor(migration: string | undefined, options: { cause?: unknown } = {}) {
    super(migration ? `Migration ${migration} failed.` : 'Migrating the database failed.', options);
    this.migration = migration;
  }
}

/** Thrown when a pagination cursor is malformed or belongs to another sort order. */
export class InvalidCursorError extends DatabaseError {
  override name = 'InvalidCursorError' as const;
  constructor(cursor: string, reason: string) {
    super(`Invalid cursor "${cursor.length > 40 ? `${cursor.slice(0, 40)}…` : cursor}": ${reason}.`);
  }
}

/** Thrown when a query parameter is out of range (a negative limit, a malformed amount …). */
export class InvalidQueryError extends DatabaseError {
  override name = 'InvalidQueryError' as const;
}
