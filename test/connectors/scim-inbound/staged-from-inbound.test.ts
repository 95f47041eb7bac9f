import { describe, expect, it } from 'vitest';
import { stagedFromInbound } from '../../../src/connectors/scim-inbound/scim-inbound-connector.js';

const user = (resource: Record<string, unknown>) => stagedFromInbound('user', { id: 'u1', resource: { userName: 'ada@contoso.test', ...resource }, deleted: false, seq: 1 });

describe('scim-inbound staged users', () => {
  it('expose the enabled state as accountEnabled, from active (Entra sends "True"/"False" strings)', () => {
    expect(user({ active: 'False' })).toMatchObject({ enabled: false, attributes: { active: false, accountEnabled: false } });
    expect(user({ active: true })).toMatchObject({ enabled: true, attributes: { active: true, accountEnabled: true } });
    // No active at all: enabled, as the connector has always staged it.
    expect(user({})).toMatchObject({ enabled: true, attributes: { accountEnabled: true } });
  });

  it('groups have no enabled state', () => {
    expect(stagedFromInbound('group', { id: 'g1', resource: { displayName: 'Eng' }, deleted: false, seq: 1 }).attributes).not.toHaveProperty('accountEnabled');
  });
});
