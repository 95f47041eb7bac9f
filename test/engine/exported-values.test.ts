import { describe, expect, it } from 'vitest';
import { exportedValues, WITHHELD } from '../../src/engine/exported-values.js';
import { registerSecret } from '../../src/shared/logger.js';

describe('what export history keeps of a change', () => {
  it("keeps nothing of a create (its run's mesh values are the value history), so never its initial password", () => {
    const values = exportedValues({ id: 'c1', op: 'create', dn: 'CN=Ada,OU=People', attributes: { cn: 'Ada', title: 'Engineer', userPassword: 'Hunter2!x' }, enabled: true, password: 'Initial-Pa55!' });
    expect(values).toBeNull();
  });

  it('withholds secret-named values', () => {
    expect(exportedValues({ id: 'c1', op: 'update', externalId: 'E1', attributes: { cn: { from: 'A', to: 'Ada' }, userPassword: { to: 'Hunter2!x' } } })).toEqual({ cn: 'Ada', userPassword: WITHHELD });
  });

  it("keeps an update's new values, cleared ones as null, and a list's added and removed items", () => {
    registerSecret('resolved-secret-value-7781');
    expect(
      exportedValues({
        id: 'c2',
        op: 'update',
        externalId: 'E1',
        attributes: { title: { from: 'Engineer', to: 'Senior Engineer' }, phone: { from: '+1 555' }, groups: { add: ['admins'], remove: ['staff'] }, note: { to: 'key resolved-secret-value-7781' } },
      }),
    ).toEqual({ title: 'Senior Engineer', phone: null, groups: { add: ['admins'], remove: ['staff'] }, note: WITHHELD });
  });

  it('keeps a move as its new DN, enable and disable as the state, and a delete as nothing', () => {
    expect(exportedValues({ id: 'c3', op: 'move', externalId: 'E1', dn: 'CN=Ada,OU=Old', newDn: 'CN=Ada,OU=New' })).toEqual({ dn: 'CN=Ada,OU=New' });
    expect(exportedValues({ id: 'c4', op: 'disable', externalId: 'E1' })).toEqual({ enabled: false });
    expect(exportedValues({ id: 'c5', op: 'enable', externalId: 'E1' })).toEqual({ enabled: true });
    expect(exportedValues({ id: 'c6', op: 'delete', externalId: 'E1' })).toBeNull();
  });
});
