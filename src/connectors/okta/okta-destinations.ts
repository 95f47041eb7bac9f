/** Where an `okta` connector sends its API token: the origin of `connection.orgUrl`. */
import type { ConnectorModel } from '../../config/model.js';
import { compileOktaSpec } from './okta-spec.js';

export function oktaDestinations(model: ConnectorModel<'okta'>): string[] {
  return [new URL(compileOktaSpec(model).orgUrl).origin];
}
