/** Where a `workday` connector sends its secrets: the origin of `connection.baseUrl`, and the OAuth2 token URL's. */
import type { ConnectorModel } from '../../config/model.js';
import { compileWorkdaySpec } from './workday-spec.js';

export function workdayDestinations(model: ConnectorModel<'workday'>, configPath: string): string[] {
  const options = compileWorkdaySpec(model, configPath);
  const destinations = [new URL(options.baseUrl).origin];
  if (options.auth.kind === 'oauth2') destinations.push(new URL(options.auth.tokenUrl).origin);
  return [...new Set(destinations)];
}
