/** Where a `rest` connector sends its secrets: the origin of `connection.baseUrl`, and the OAuth2 token URL's. */
import type { ConnectorModel } from '../../config/model.js';
import { compileRestSpec } from './rest-spec.js';

export function restDestinations(model: ConnectorModel<'rest'>, configPath: string): string[] {
  const options = compileRestSpec(model, configPath);
  const destinations = [new URL(options.baseUrl).origin];
  if (options.auth.kind === 'oauth2') destinations.push(new URL(options.auth.tokenUrl).origin);
  return [...new Set(destinations)];
}
