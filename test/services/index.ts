/**
 * Every server the suite starts. Each module installs what is missing (as root, via apt-get), starts
 * its server in a temporary folder, and returns what tests need to reach it.
 */
import { chromium } from './chromium.js';
import { postgres } from './postgres.js';
import { samba } from './samba.js';
import { slapd } from './slapd.js';

export interface StartedService {
  provide: Record<string, string>;
  stop(): Promise<void>;
}

export interface TestService {
  name: string;
  start(): Promise<StartedService>;
}

export const services: TestService[] = [postgres, samba, slapd, chromium];
