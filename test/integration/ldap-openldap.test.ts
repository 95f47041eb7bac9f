/**
 * The generic `ldap` connector against a real OpenLDAP slapd (test/services/slapd.ts), called directly
 * (no engine). Every test works under its own OU below one OU per test file.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { escapeDnValue } from '../../src/config/escape.js';
import { createLdapConnector } from '../../src/connectors/ldap/index.js';
import type { ExportResult, IdentityConnector } from '../../src/connectors/sdk.js';
import { collect, ldapDeleteTree, ldapExists, ldapModify, ldapValues, testContext, uniqueName, type Server } from './ldap-support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const server: Server = { url: inject('slapdUrl'), bindDn: inject('slapdBindDn'), password: inject('slapdPassword') };
const baseDn = inject('slapdBaseDn');
const root = `ou=${uniqueName('imesh-ldap')},${baseDn}`;
const open: IdentityConnector[] = [];
const startTls = () => ({ tls: { startTls: true, caFile: inject('slapdCaFile'), servername: inject('slapdServername') } });

function connector(types: Record<string, Record<string, unknown>>, connection: Record<string, unknown> = {}) {
  const made = testContext(
    'ldap',
    { connection: { url: server.url, bindDn: server.bindDn, bindPassword: '{{secret:ldap}}', baseDn, pageSize: 2, ...connection }, objectTypes: types },
    { ldap: server.password },
    'corp-ldap',
  );
  const c = createLdapConnector(made.context);
  open.push(c);
  return { connector: c, logs: made.logs };
}

function testOu(name: string): string {
  const dn = `ou=${uniqueName(name)},${root}`;
  ldapModify(server, `dn: ${dn}\nchangetype: add\nobjectClass: organizationalUnit\n`);
  return dn;
}

function addPerson(ou: string, uid: string, extra = ''): string {
  const dn = `uid=${uid},${ou}`;
  ldapModify(server, `dn: ${dn}\nchangetype: add\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}\n${extra}`);
  return dn;
}

function entryUuid(dn: string): string {
  return ldapValues(server, dn, 'entryUUID')[0]!;
}

function ok(result: ExportResult | undefined): Extract<ExportResult, { ok: true }> {
  if (!result?.ok) throw new Error(`export failed: ${JSON.stringify(result)}`);
  return result;
}

const people = (ou: string, more: Record<string, unknown> = {}) => ({
  person: {
    searchBase: ou,
    filter: '(objectClass=inetOrgPerson)',
    attributes: ['uid', 'cn', 'sn', 'mail', 'telephoneNumber', 'employeeType', 'jpegPhoto'],
    objectClasses: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
    disabled: { attribute: 'employeeType', value: 'DISABLED' },
    ...more,
  },
});

beforeAll(() => {
  ldapModify(server, `dn: ${root}\nchangetype: add\nobjectClass: organizationalUnit\n`);
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  ldapDeleteTree(server, root);
});

describe('ldap import', () => {
  it('reads every entry page by page with entryUUID anchors and the disabled marker', async () => {
    const ou = testOu('full');
    const ann = addPerson(ou, 'ann', 'mail: ann@example.test\ntelephoneNumber: 1\ntelephoneNumber: 2\njpegPhoto: abc\n');
    addPerson(ou, 'bob', 'employeeType: disabled\n');
    addPerson(ou, 'cy', `telephoneNumber: 3\njpegPhoto:: ${Buffer.from([0xff, 0xd8, 0xff]).toString('base64')}\n`);
    const { connector: ldap } = connector(people(ou));
    const read = await collect(ldap.fullImport('person'));
    expect(read.complete).toBe(true);
    expect(read.batches).toBeGreaterThanOrEqual(3);
    expect(read.objects.map((o) => o.attributes.uid).sort()).toEqual([['ann'], ['bob'], ['cy']]); // uid is multi-valued in the schema
    const a = read.objects.find((o) => o.dn === ann)!;
    expect(a.externalId).toBe(entryUuid(ann));
    expect(a.externalId).toMatch(UUID);
    expect(a.attributes.entryUUID).toBe(a.externalId);
    expect(a.attributes.telephoneNumber).toEqual(['1', '2']);
    // Binary syntaxes are base64 whether or not the bytes happen to be valid UTF-8.
    expect(a.attributes.jpegPhoto).toEqual([Buffer.from('abc').toString('base64')]);
    expect(read.objects.find((o) => String(o.attributes.uid) === 'cy')!.attributes.jpegPhoto).toEqual(['/9j/']);
    expect(read.objects.find((o) => o.attributes.uid?.toString() === 'cy')!.attributes.telephoneNumber).toEqual(['3']);
    expect(Object.fromEntries(read.objects.map((o) => [String(o.attributes.uid), o.enabled]))).toEqual({ ann: true, bob: false, cy: true });
    // The same state as the source attribute accountEnabled (from the type's disabled mapping).
    expect(Object.fromEntries(read.objects.map((o) => [String(o.attributes.uid), o.attributes.accountEnabled]))).toEqual({ ann: true, bob: false, cy: true });
    expect(JSON.parse(read.watermark!)).toEqual({ modifyTimestamp: expect.stringMatching(/^\d{14}Z$/) });
  });

  it('delta reads entries modified since the watermark (modifyTimestamp), not the others', async () => {
    const ou = testOu('delta');
    addPerson(ou, 'old1');
    addPerson(ou, 'old2');
    await new Promise((r) => setTimeout(r, 1100)); // generalized time has one-second resolution
    const since = new Date();
    await new Promise((r) => setTimeout(r, 1100));
    const changed = addPerson(ou, 'new1');
    ldapModify(server, `dn: uid=old1,${ou}\nchangetype: modify\nreplace: mail\nmail: old1@example.test\n`);
    const { connector: ldap } = connector(people(ou));
    const p = (n: number) => String(n).padStart(2, '0');
    const mark = `${since.getUTCFullYear()}${p(since.getUTCMonth() + 1)}${p(since.getUTCDate())}${p(since.getUTCHours())}${p(since.getUTCMinutes())}${p(since.getUTCSeconds())}Z`;
    const delta = await collect(ldap.deltaImport('person', JSON.stringify({ modifyTimestamp: mark })));
    expect(delta.complete).toBe(false);
    expect(delta.objects.map((o) => String(o.attributes.uid)).sort()).toEqual(['new1', 'old1']);
    expect(delta.objects.find((o) => o.dn === changed)!.externalId).toBe(entryUuid(changed));
    // The next watermark is the signpost taken before reading, minus the overlap for clock skew.
    const next = JSON.parse(delta.watermark!) as { modifyTimestamp: string };
    expect(next.modifyTimestamp < mark).toBe(true);
  });

  it('falls back to a full import when the watermark is unreadable, and says so', async () => {
    const ou = testOu('badmark');
    addPerson(ou, 'ann');
    const { connector: ldap, logs } = connector(people(ou));
    const read = await collect(ldap.deltaImport('person', '{"usn":"12"}'));
    expect(read.complete).toBe(true);
    expect(read.objects).toHaveLength(1);
    expect(logs.find((l) => l.event === 'ldap-delta-fallback')?.reason).toMatch(/not a \{modifyTimestamp\} watermark/);
  });
});

describe('ldap export', () => {
  it('creates (over StartTLS, with a password the server hashes), updates, moves and deletes with entryUUID', async () => {
    const ou = testOu('export');
    const { connector: ldap } = connector(people(ou, { createContainers: true }), startTls());
    const dn = `uid=zoe,ou=Sales,${ou}`;
    const password = 'zoe-initial-password';
    const [created] = await ldap.export('person', [
      { id: 'c1', op: 'create', dn, attributes: { uid: 'zoe', cn: 'Zoe Park', sn: 'Park', telephoneNumber: ['1', '2'] }, enabled: true, password },
    ]);
    const uuid = ok(created).externalId!;
    expect(uuid).toBe(entryUuid(dn));
    expect(ldapValues(server, dn, 'userPassword')[0]).toMatch(/^\{SSHA\}/); // hashed by the server, not stored as sent
    execFileSync('ldapsearch', ['-x', '-H', server.url, '-D', dn, '-w', password, '-b', dn, '-s', 'base', '1.1'], { stdio: 'pipe' });

    ok((await ldap.export('person', [{ id: 'u1', op: 'update', externalId: uuid, dn, attributes: { mail: { to: 'zoe@example.test' }, telephoneNumber: { add: ['3'], remove: ['1'] } } }]))[0]);
    expect(ldapValues(server, dn, 'mail')).toEqual(['zoe@example.test']);
    expect(ldapValues(server, dn, 'telephoneNumber').sort()).toEqual(['2', '3']);

    const to = `uid=zoe,ou=${escapeDnValue('R&D, Lab')},${ou}`;
    const [moved] = await ldap.export('person', [{ id: 'm1', op: 'move', externalId: uuid, dn, newDn: to }]);
    expect(ok(moved).dn).toBe(to);
    expect(entryUuid(to)).toBe(uuid);
    expect(ldapExists(server, dn)).toBe(false);

    ok((await ldap.export('person', [{ id: 'x1', op: 'delete', externalId: uuid, dn: to }]))[0]);
    expect(ldapExists(server, to)).toBe(false);
    ok((await ldap.export('person', [{ id: 'x2', op: 'delete', externalId: uuid, dn: to }]))[0]);
  });

  it('refuses a password over plain LDAP and holds back a create whose OU is missing without createContainers', async () => {
    const ou = testOu('refuse');
    const { connector: ldap } = connector(people(ou));
    const [refused, held] = await ldap.export('person', [
      { id: 'c1', op: 'create', dn: `uid=pia,${ou}`, attributes: { uid: 'pia', cn: 'Pia', sn: 'P' }, password: 'pia-password' },
      { id: 'c2', op: 'create', dn: `uid=max,ou=Nowhere,${ou}`, attributes: { uid: 'max', cn: 'Max', sn: 'M' } },
    ]);
    expect(refused).toMatchObject({ ok: false, error: { code: 'PasswordRequiresTls' } });
    expect(ok(held).heldBack).toMatch(/does not exist/);
    expect(ldapExists(server, `uid=pia,${ou}`)).toBe(false);
  });

  it('disables and enables with the configured attribute/value pair, and finds objects by entryUUID after a rename', async () => {
    const ou = testOu('disable');
    const dn = addPerson(ou, 'dan', 'employeeType: contractor\n');
    const uuid = entryUuid(dn);
    ldapModify(server, `dn: ${dn}\nchangetype: modrdn\nnewrdn: uid=daniel\ndeleteoldrdn: 0\n`);
    const { connector: ldap } = connector(people(ou));
    ok((await ldap.export('person', [{ id: 'd1', op: 'disable', externalId: uuid, dn }]))[0]); // stale DN hint
    const renamed = `uid=daniel,${ou}`;
    expect(ldapValues(server, renamed, 'employeeType')).toEqual(['DISABLED']);
    expect((await collect(ldap.fullImport('person'))).objects[0]!.enabled).toBe(false);
    ok((await ldap.export('person', [{ id: 'e1', op: 'enable', externalId: uuid }]))[0]);
    expect(ldapValues(server, renamed, 'employeeType')).toEqual([]);
    expect((await collect(ldap.fullImport('person'))).objects[0]!.enabled).toBe(true);
  });

  it('changes group members incrementally without touching unmanaged members (no permissive modify here)', async () => {
    const ou = testOu('members');
    const [a, b, c, unmanaged] = ['a', 'b', 'c', 'unmanaged'].map((u) => addPerson(ou, u)) as [string, string, string, string];
    const group = `cn=team,${ou}`;
    ldapModify(server, `dn: ${group}\nchangetype: add\nobjectClass: groupOfNames\ncn: team\nmember: ${a}\nmember: ${b}\nmember: ${unmanaged}\n`);
    const { connector: ldap } = connector({ group: { searchBase: ou, filter: '(objectClass=groupOfNames)', attributes: ['cn', 'member'] } });
    const read = await collect(ldap.fullImport('group'));
    expect(read.objects[0]!.attributes.member).toEqual([a, b, unmanaged]);
    const change = { id: 'u1', op: 'update' as const, externalId: read.objects[0]!.externalId, attributes: { member: { add: [c], remove: [b] } } };
    ok((await ldap.export('group', [change]))[0]);
    ok((await ldap.export('group', [{ ...change, id: 'u2' }]))[0]); // replay: value exists / absent → only the difference is sent
    expect(ldapValues(server, group, 'member').sort()).toEqual([a, c, unmanaged].sort());
  });
});

describe('ldap check', () => {
  it('reports OpenLDAP, counts and a StartTLS failure with the wrong server name', async () => {
    const ou = testOu('check');
    addPerson(ou, 'ann');
    const good = await connector(people(ou), startTls()).connector.check();
    expect(good).toMatchObject({ ok: true, server: 'OpenLDAP', objectTypes: { person: { count: 1 } } });
    const wrongName = await connector(people(ou), { tls: { startTls: true, caFile: inject('slapdCaFile'), servername: 'other.example.test' } }).connector.check();
    expect(wrongName.error?.code).toBe('TlsFailure');
    const badPassword = testContext('ldap', { connection: { url: server.url, bindDn: server.bindDn, bindPassword: '{{secret:p}}', baseDn }, objectTypes: people(ou) }, { p: 'not-the-secret' });
    const denied = await createLdapConnector(badPassword.context).check();
    expect(denied.error?.code).toBe('InvalidCredentials');
    expect(denied.error?.message).not.toContain('not-the-secret');
  });
});
