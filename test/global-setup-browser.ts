/** The browser project's servers: PostgreSQL (the API's store) and Chromium. */
import { serviceSetup } from './global-setup.js';
import { chromium } from './services/chromium.js';
import { postgres } from './services/postgres.js';

export const { setup, teardown } = serviceSetup([postgres, chromium]);
