/**
 * The engine suite again, on a PostgreSQL store (each harness in its own schema of the test server):
 * the same tests that run on the embedded SQLite store as their own files. See ./test-store.ts.
 */
import { inject } from 'vitest';
import { useTestStore } from './test-store.js';
import './csv-list-columns.test.js';
import './cycle.test.js';
import './memberships-roles.test.js';
import './okta-end-to-end.test.js';
import './rest-end-to-end.test.js';
import './workday-end-to-end.test.js';
import './scoped-runs.test.js';
import './concurrent-imports.test.js';
import './approvals.test.js';
import './connector-health.test.js';
import './structured-roles.test.js';
import './history.test.js';
import './connector-space-writes.test.js';
import './policy-invariants.test.js';
import './export-batches.test.js';

useTestStore('postgres', inject('pgUrl'));
