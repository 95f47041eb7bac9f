// The local PostgreSQL for the benchmarks: statements through `psql` (no client library in the
// benchmark process), and names for the schemas a benchmark creates and drops.
import { execFileSync } from 'node:child_process';

export const PG_URL = process.env.IMESH_TEST_PG_URL || 'postgres://root@127.0.0.1:5432/test';

/** Runs SQL through psql, stopping at the first error; returns its output (tuples only, unaligned). */
export function psql(sql, url = PG_URL) {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The `psql` arguments that copy a query's rows to /dev/null: the raw-tool anchor of a read. */
export function copyToNullArgs(query, url = PG_URL) {
  return ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', `\\copy (${query}) TO '/dev/null'`];
}

/** A store URL on the same server, in a schema of its own (the store creates it; drop it afterwards). */
export function storeUrl(schema, url = PG_URL) {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

export function dropSchema(schema, url = PG_URL) {
  psql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, url);
}
