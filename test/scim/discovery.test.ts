import { describe, expect, it } from 'vitest';
import { readResourceTypes, readServiceProviderConfig, resourceTypes, serviceProviderConfig } from '../../src/scim/discovery.js';

describe('SCIM discovery documents', () => {
  it('reads back what the inbound endpoint announces', () => {
    const base = 'http://127.0.0.1/scim/push/v2';
    expect(readServiceProviderConfig(serviceProviderConfig(base))).toEqual({ patch: true, etag: false, filter: true, maxResults: 1000 });
    const types = readResourceTypes({ Resources: resourceTypes(base, ['user', 'group']) });
    expect([...types]).toEqual([
      ['user', { endpoint: 'Users', schema: 'urn:ietf:params:scim:schemas:core:2.0:User' }],
      ['group', { endpoint: 'Groups', schema: 'urn:ietf:params:scim:schemas:core:2.0:Group' }],
    ]);
  });

  it('assumes PATCH and filtering without a ServiceProviderConfig, and takes a bare list of resource types', () => {
    expect(readServiceProviderConfig(undefined)).toEqual({ patch: true, etag: false, filter: true });
    expect(readServiceProviderConfig({ patch: { supported: false }, etag: { supported: true }, filter: { supported: true, maxResults: 0 } })).toEqual({ patch: false, etag: true, filter: true });
    expect([...readResourceTypes([{ name: 'Device', endpoint: '/Devices' }, { name: 'broken' }, null])]).toEqual([['device', { endpoint: 'Devices', schema: '' }]]);
    expect(readResourceTypes('not a list').size).toBe(0);
  });
});
