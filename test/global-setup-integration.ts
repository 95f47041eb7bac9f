/** The integration project's servers: PostgreSQL, Samba AD and OpenLDAP. */
import { serviceSetup } from './global-setup.js';
import { postgres } from './services/postgres.js';
import { samba } from './services/samba.js';
import { slapd } from './services/slapd.js';

export const { setup, teardown } = serviceSetup([postgres, samba, slapd]);
