import { describe, expect, it } from 'vitest';
import type { ConnectorModel } from '../../../src/config/model.js';
import { compileOktaSpec } from '../../../src/connectors/okta/okta-spec.js';

function model(orgUrl: string): ConnectorModel<'okta'> {
  return {
    name: 'okta',
    type: 'okta',
    location: { file: 'c.yaml', line: 1, column: 1 },
    spec: { type: 'okta', connection: { orgUrl, apiToken: '{{secret:okta-token}}' }, objectTypes: { user: {} } },
    objectTypes: ['user'],
    suspend: false,
  };
}

describe('okta orgUrl', () => {
  it('a bare domain, as the runbook writes OrgDomain, means https://', () => {
    expect(compileOktaSpec(model('contoso.okta.com')).orgUrl).toBe('https://contoso.okta.com');
    expect(compileOktaSpec(model('contoso.oktapreview.com:8443')).orgUrl).toBe('https://contoso.oktapreview.com:8443');
    expect(compileOktaSpec(model('https://contoso.okta.com')).orgUrl).toBe('https://contoso.okta.com');
  });

  it('keeps the TLS rule: http:// only when written, and only to a loopback host', () => {
    expect(() => compileOktaSpec(model('http://contoso.okta.com'))).toThrow(/only https:\/\/ is allowed/);
    expect(compileOktaSpec(model('http://127.0.0.1:9000')).orgUrl).toBe('http://127.0.0.1:9000');
    expect(compileOktaSpec(model('localhost:9000')).orgUrl).toBe('https://localhost:9000');
  });
});
