/** Where a `scim` connector sends its bearer token: the origin of `connection.baseUrl`. */
import type { ConnectorModel } from '../../config/model.js';
import { compileScimSpec } from './scim-spec.js';

export function scimDestinations(model: ConnectorModel<'scim'>): string[] {
  return [new URL(compileScimSpec(model).baseUrl).origin];
}
