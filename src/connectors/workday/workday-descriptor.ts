/** The `workday` connector type (workers from a Workday RaaS report; source only), as the rest of Identity Mesh sees it. */
import { checkHttpUrl } from '../../config/setting-checks.js';
import { ConfigError } from '../../shared/errors.js';
import type { ConnectorDescriptor } from '../connector-descriptor.js';
import { compileWorkdaySpec } from './workday-spec.js';

export const workdayDescriptor: ConnectorDescriptor<'workday'> = {
  type: 'workday',
  directory: false,
  targetTraits: () => ({
    canExport: false,
    exportNote: 'workday connectors read workers from a report and cannot be written to',
    canDisable: false,
    columns: false,
  }),
  checkSpec(ctx, doc, spec) {
    checkHttpUrl(ctx, doc, ['spec', 'connection', 'baseUrl'], spec.connection.baseUrl);
    if (spec.connection.auth.type === 'oauth2') checkHttpUrl(ctx, doc, ['spec', 'connection', 'auth', 'tokenUrl'], spec.connection.auth.tokenUrl);
    try {
      compileWorkdaySpec({ name: doc.name, spec }, '.');
    } catch (error) {
      // URL problems other than credentials in the URL are reported by checkHttpUrl above.
      if (!(error instanceof ConfigError) || (error.code !== 'ConfigInvalid' && !/must not carry credentials/.test(error.message))) return;
      const setting = /spec\.([A-Za-z0-9_.]+)/.exec(error.message)?.[1] ?? 'connection';
      ctx.report(doc, ['spec', ...setting.split('.')], error.message.replace(/^[^:]*: (spec\.)?/, ''));
    }
  },
  hasCredentials: () => true,
  secretDestinations: async (model, configPath) => (await import('./workday-destinations.js')).workdayDestinations(model, configPath),
  load: async () => (await import('./workday-connector.js')).createWorkdayConnector,
};
