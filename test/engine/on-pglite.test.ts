/**
 * A representative part of the engine suite on PGlite, the embedded store of versions before SQLite,
 * which existing `.imesh/state` folders keep using (the store suite covers the rest). See ./test-store.ts.
 */
import { useTestStore } from './test-store.js';
import './cycle.test.js';
import './memberships-roles.test.js';

useTestStore('pglite');
