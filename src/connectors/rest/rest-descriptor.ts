/** The `rest` connector type (a REST/JSON API described by configuration), as the rest of Identity Mesh sees it. */
import { checkHttpUrl } from '../../config/setting-checks.js';
import { ConfigError } from '../../shared/errors.js';
import type { ConnectorDescriptor } from '../connector-descriptor.js';
import { compileRestSpec, RestSpecError } from './rest-spec.js';

export const restDescriptor: ConnectorDescriptor<'rest'> = {
  type: 'rest',
  directory: false,
  targetTraits: (spec, objectType) => {
    const t = spec.objectTypes[objectType];
    const e = t?.export ?? {};
    const canExport = e.create !== undefined || e.update !== undefined || e.delete !== undefined || e.disable !== undefined;
    return {
      canExport,
      ...(canExport ? {} : { exportNote: `objectTypes.${objectType}.export configures no operation` }),
      canDisable: e.disable !== undefined || (t?.enabled !== undefined && e.update !== undefined),
      columns: false,
    };
  },
  checkSpec(ctx, doc, spec) {
    checkHttpUrl(ctx, doc, ['spec', 'connection', 'baseUrl'], spec.connection.baseUrl);
    if (spec.connection.auth?.type === 'oauth2') checkHttpUrl(ctx, doc, ['spec', 'connection', 'auth', 'tokenUrl'], spec.connection.auth.tokenUrl);
    try {
      compileRestSpec({ name: doc.name, spec }, '.');
    } catch (error) {
      if (error instanceof RestSpecError) ctx.report(doc, ['spec', ...error.setting.split('.')], `${error.setting} ${error.problem}`);
      // Of the URL problems, checkHttpUrl above reports all but credentials written into the URL.
      else if (error instanceof ConfigError && /must not carry credentials/.test(error.message)) {
        const tokenUrl = error.message.includes('spec.connection.auth.tokenUrl');
        ctx.report(doc, tokenUrl ? ['spec', 'connection', 'auth', 'tokenUrl'] : ['spec', 'connection', 'baseUrl'], error.message.replace(/^[^:]*: /, ''));
      }
    }
  },
  hasCredentials: (spec) => spec.connection.auth !== undefined || Object.values(spec.connection.headers ?? {}).some((v) => v?.includes('{{secret:')),
  secretDestinations: async (model, configPath) => (await import('./rest-destinations.js')).restDestinations(model, configPath),
  load: async () => (await import('./rest-connector.js')).createRestConnector,
};
