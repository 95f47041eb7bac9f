import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://… of the test PostgreSQL server (database `test`). */
    pgUrl: string;
  }
}
