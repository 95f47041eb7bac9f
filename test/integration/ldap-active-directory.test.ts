/**
 * The `active-directory` connector against a real Samba AD DC (test/services/samba.ts), called directly
 * (no engine). Every test works under its own OU below one OU per test file.
 */
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { escapeDnValue, escapeFilterValue } from '../../src/config/escape.js';
import { createActiveDirectoryVendor } from '../../src/connectors/ldap/active-directory.js';
import { createActiveDirectoryConnector } from '../../src/connectors/ldap/index.js';
import { compileLdapOptions } from '../../src/connectors/ldap/ldap-options.js';
import { LdapSession } from '../../src/connectors/ldap/ldap-session.js';
import type { ExportResult, IdentityConnector } from '../../src/connectors/sdk.js';
import { collect, ldapDeleteTree, ldapExists, ldapModify, ldapValues, testContext, uniqueName, type Server } from './ldap-support.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const server: Server = { url: inject('sambaUrl'), bindDn: inject('sambaBindDn'), password: inject('sambaPassword') };
const baseDn = inject('sambaBaseDn');
const root = `OU=${uniqueName('imesh-ad')},${baseDn}`;
const open: IdentityConnector[] = [];

interface TypeSpec {
  searchBase: string;
  filter: string;
  attributes?: string[];
  objectClasses?: string[];
  createContainers?: boolean;
  searchScope?: 'sub' | 'one';
}

function connector(types: Record<string, TypeSpec>, connection: Record<string, unknown> = {}) {
  const made = testContext(
    'active-directory',
    {
      connection: { url: server.url, bindDn: server.bindDn, bindPassword: '{{secret:ad}}', baseDn, pageSize: 2, ...connection },
      objectTypes: types,
    },
    { ad: server.password },
    'corp-ad',
  );
  const c = createActiveDirectoryConnector(made.context);
  open.push(c);
  return { connector: c, logs: made.logs };
}

const ldaps = () => ({ url: inject('sambaLdapsUrl'), tls: { caFile: inject('sambaCaFile'), servername: inject('sambaServername') } });

/** A fresh OU for one test. */
function testOu(name: string): string {
  const dn = `OU=${uniqueName(name)},${root}`;
  ldapModify(server, `dn: ${dn}\nchangetype: add\nobjectClass: organizationalUnit\n`);
  return dn;
}

function addUser(ou: string, cn: string, extra = ''): string {
  const dn = `CN=${cn},${ou}`;
  ldapModify(server, `dn: ${dn}\nchangetype: add\nobjectClass: user\nsAMAccountName: ${uniqueName('u').slice(0, 20)}\n${extra}`);
  return dn;
}

/** The entry a `<GUID=…>` DN names: AD resolves it only when the string is in AD's byte order. */
function dnByGuid(guid: string): string | undefined {
  try {
    const out = execFileSync('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', server.url, '-D', server.bindDn, '-w', server.password, '-b', `<GUID=${guid}>`, '-s', 'base', '1.1'], { encoding: 'utf8' });
    return /^dn: (.*)$/m.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

function ok(result: ExportResult | undefined): Extract<ExportResult, { ok: true }> {
  if (!result?.ok) throw new Error(`export failed: ${JSON.stringify(result)}`);
  return result;
}

const users = (ou: string, more: Partial<TypeSpec> = {}) => ({
  user: { searchBase: ou, filter: '(&(objectClass=user)(objectCategory=person))', attributes: ['cn', 'sAMAccountName', 'description', 'otherTelephone', 'objectSid', 'userAccountControl'], ...more },
});

beforeAll(() => {
  ldapModify(server, `dn: ${root}\nchangetype: add\nobjectClass: organizationalUnit\n`);
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  ldapDeleteTree(server, root);
});

describe('active-directory import', () => {
  it('reads every user page by page with objectGUID anchors, SIDs and multi-valued arrays', async () => {
    const ou = testOu('full');
    for (const cn of ['Ann', 'Bob', 'Cy']) addUser(ou, cn, cn === 'Ann' ? 'otherTelephone: 555-0100\ndescription: first\n' : '');
    const { connector: ad } = connector(users(ou));
    const read = await collect(ad.fullImport('user'));
    expect(read.complete).toBe(true);
    expect(read.batches).toBeGreaterThanOrEqual(3); // pageSize 2: two pages and the closing batch
    expect(read.objects.map((o) => o.attributes.cn).sort()).toEqual(['Ann', 'Bob', 'Cy']);
    for (const object of read.objects) {
      expect(object.externalId).toMatch(GUID);
      expect(object.attributes.objectGUID).toBe(object.externalId);
      expect(dnByGuid(object.externalId)?.toLowerCase()).toBe(object.dn?.toLowerCase());
      expect(object.attributes.objectSid).toMatch(/^S-1-5-21-\d+-\d+-\d+-\d+$/);
      expect(object.enabled).toBe(false); // created without a password: disabled
      expect(object.attributes.accountEnabled).toBe(false);
    }
    const ann = read.objects.find((o) => o.attributes.cn === 'Ann')!;
    expect(ann.attributes.otherTelephone).toEqual(['555-0100']); // multi-valued stays an array
    expect(ann.attributes.description).toEqual(['first']); // multi-valued in AD's schema too
    expect(ann.attributes.sAMAccountName).toEqual(expect.any(String)); // single-valued: a scalar
    const watermark = JSON.parse(read.watermark!) as Record<string, string>;
    expect(watermark.dc).toMatch(/^CN=NTDS Settings,/);
    expect(watermark.invocationId).toMatch(GUID);
    expect(watermark.usn).toMatch(/^\d+$/);
  });

  it('delta returns exactly the added, modified and deleted (tombstone) objects', async () => {
    const ou = testOu('delta');
    const ann = addUser(ou, 'Ann');
    const bob = addUser(ou, 'Bob');
    addUser(ou, 'Cy');
    const { connector: ad } = connector(users(ou));
    const full = await collect(ad.fullImport('user'));
    const bobGuid = full.objects.find((o) => o.dn === bob)!.externalId;

    addUser(ou, 'Dee');
    ldapModify(server, `dn: ${ann}\nchangetype: modify\nreplace: description\ndescription: changed\n`);
    ldapModify(server, `dn: ${bob}\nchangetype: delete\n`);

    const delta = await collect(ad.deltaImport('user', full.watermark!));
    expect(delta.complete).toBe(false);
    const live = delta.objects.filter((o) => !o.deleted);
    expect(live.map((o) => o.attributes.cn).sort()).toEqual(['Ann', 'Dee']);
    expect(live.find((o) => o.attributes.cn === 'Ann')!.attributes.description).toEqual(['changed']);
    const deleted = delta.objects.filter((o) => o.deleted).map((o) => o.externalId);
    expect(deleted).toContain(bobGuid);
    const ours = new Set(full.objects.map((o) => o.externalId));
    expect(deleted.filter((id) => ours.has(id))).toEqual([bobGuid]); // Cy did not change
    expect(JSON.parse(delta.watermark!).usn).not.toBe(JSON.parse(full.watermark!).usn);
  });

  it('a changed DC or invocationId in the stored watermark forces a full import and says why', async () => {
    const ou = testOu('dcchange');
    addUser(ou, 'Ann');
    addUser(ou, 'Bob');
    const { connector: ad, logs } = connector(users(ou));
    const full = await collect(ad.fullImport('user'));
    const mark = JSON.parse(full.watermark!) as Record<string, string>;

    const restored = await collect(ad.deltaImport('user', JSON.stringify({ ...mark, invocationId: '00000000-0000-0000-0000-000000000001' })));
    expect(restored.complete).toBe(true);
    expect(restored.objects).toHaveLength(2);
    expect(JSON.parse(restored.watermark!).invocationId).toBe(mark.invocationId);

    const otherDc = await collect(ad.deltaImport('user', JSON.stringify({ ...mark, dc: mark.dc!.replace('CN=VM,', 'CN=DC2,') })));
    expect(otherDc.complete).toBe(true);
    const reasons = logs.filter((l) => l.event === 'ldap-delta-fallback').map((l) => String(l.reason));
    expect(reasons[0]).toMatch(/invocationId .* changed/);
    expect(reasons[1]).toMatch(/domain controller changed/);
  });

  it('reads a group of more than 1,500 members completely', async () => {
    const ou = testOu('biggroup');
    const group = `CN=Everyone,${ou}`;
    const bulkOu = inject('sambaBulkOu');
    const count = Number(inject('sambaBulkUsers'));
    const members = Array.from({ length: count }, (_, i) => `member: CN=bulk${i + 1},${bulkOu}`).join('\n');
    ldapModify(server, `dn: ${group}\nchangetype: add\nobjectClass: group\n\ndn: ${group}\nchangetype: modify\nadd: member\n${members}\n`);
    const { connector: ad } = connector({ group: { searchBase: ou, filter: '(objectClass=group)', attributes: ['cn', 'member'] } });
    const read = await collect(ad.fullImport('group'));
    expect(read.objects).toHaveLength(1);
    expect(read.objects[0]!.attributes).not.toHaveProperty('accountEnabled'); // a group has no enabled state
    const got = read.objects[0]!.attributes.member as string[];
    expect(got.length).toBe(count);
    expect(new Set(got.map((d) => d.toLowerCase())).size).toBe(count);
    expect(got.map((d) => d.toLowerCase())).toContain(`cn=bulk${count},${bulkOu}`.toLowerCase());
  });

  it('follows ranged values (member;range=0-99 → 100-*) until the server says *', async () => {
    // Samba, unlike Windows (MaxValRange 1500), returns every value unless a range is asked for, so the
    // vendor's range loop is driven here from an explicitly ranged first read.
    const ou = testOu('ranged');
    const group = `CN=Ranged,${ou}`;
    const bulkOu = inject('sambaBulkOu');
    const members = Array.from({ length: 250 }, (_, i) => `member: CN=bulk${i + 1},${bulkOu}`).join('\n');
    ldapModify(server, `dn: ${group}\nchangetype: add\nobjectClass: group\n\ndn: ${group}\nchangetype: modify\nadd: member\n${members}\n`);
    const { context } = testContext('active-directory', { connection: { url: server.url, bindDn: server.bindDn, bindPassword: '{{secret:ad}}', baseDn }, objectTypes: {} }, { ad: server.password });
    const options = compileLdapOptions(context.model, context.configPath);
    const session = await LdapSession.open(options, context.secrets);
    try {
      const first = await session.read(group, ['member;range=0-99']);
      expect(first!.attributes.map((a) => [a.name, a.values.length])).toEqual([['member;range=0-99', 100]]);
      const vendor = createActiveDirectoryVendor({ options, log: context.log });
      const complete = await vendor.completeEntry!(session, first!);
      const values = complete.attributes.find((a) => a.key === 'member')!.values.map((v) => String(v).toLowerCase());
      expect(values).toHaveLength(250);
      expect(new Set(values).size).toBe(250);
      expect(complete.attributes.map((a) => a.name)).toEqual(['member']);
    } finally {
      await session.close();
    }
  });

  it('reports a user moved out of the search base as deleted in the next delta', async () => {
    const ou = testOu('moveout');
    const scope = testOuUnder(ou, 'InScope');
    const elsewhere = testOuUnder(ou, 'Elsewhere');
    const leaver = addUser(scope, 'Leaver');
    addUser(scope, 'Stayer');
    const { connector: ad } = connector(users(scope));
    const full = await collect(ad.fullImport('user'));
    const guid = full.objects.find((o) => o.dn === leaver)!.externalId;
    ldapModify(server, `dn: ${leaver}\nchangetype: modrdn\nnewrdn: CN=Leaver\ndeleteoldrdn: 1\nnewsuperior: ${elsewhere}\n`);
    const delta = await collect(ad.deltaImport('user', full.watermark!));
    expect(delta.objects.filter((o) => !o.deleted)).toEqual([]);
    expect(delta.objects.find((o) => o.externalId === guid)).toMatchObject({ deleted: true });
  });

  it('finds exactly the entry a filter value with * ( ) \\ names', async () => {
    const ou = testOu('filter');
    const tricky = 'a*b(c)d\\e';
    addUser(ou, 'Tricky', `description: ${tricky}\n`);
    addUser(ou, 'Plain', 'description: a-b-c-d-e\n');
    addUser(ou, 'Star', 'description: a\n');
    const { connector: ad } = connector(users(ou, { filter: `(&(objectClass=user)(description=${escapeFilterValue(tricky)}))` }));
    const read = await collect(ad.fullImport('user'));
    expect(read.objects.map((o) => o.attributes.cn)).toEqual(['Tricky']);
    expect(read.objects[0]!.attributes.description).toEqual([tricky]);
  });
});

describe('active-directory export', () => {
  it('creates users in a templated OU it creates (createContainers), disabled without a password', async () => {
    const ou = testOu('create');
    const { connector: ad } = connector(users(ou, { createContainers: true }));
    const dn = `CN=Ann Lee,OU=Sales,OU=EMEA,${ou}`;
    const [created] = await ad.export('user', [{ id: 'c1', op: 'create', dn, attributes: { sAMAccountName: uniqueName('al').slice(0, 20), description: ['new hire'] }, enabled: true }]);
    const result = ok(created);
    expect(result.externalId).toMatch(GUID);
    expect(result.heldBack).toMatch(/created disabled/); // enabled asked, but AD needs a password
    expect(dnByGuid(result.externalId!)?.toLowerCase()).toBe(dn.toLowerCase());
    expect(ldapValues(server, dn, 'userAccountControl')).toEqual(['514']);
    expect(ldapExists(server, `OU=EMEA,${ou}`)).toBe(true);

    const [again] = await ad.export('user', [{ id: 'c2', op: 'create', dn, attributes: { sAMAccountName: 'whatever' } }]);
    expect(ok(again).externalId).toBe(result.externalId); // idempotent: entryAlreadyExists → the existing anchor
  });

  it('holds a create back when its OU is missing and createContainers is off', async () => {
    const ou = testOu('heldback');
    const { connector: ad } = connector(users(ou));
    const dn = `CN=Bob,OU=Nowhere,${ou}`;
    const [result] = await ad.export('user', [{ id: 'c1', op: 'create', dn, attributes: { sAMAccountName: uniqueName('b').slice(0, 20) } }]);
    expect(ok(result).heldBack).toMatch(/OU=Nowhere.*does not exist.*createContainers/);
    expect(ok(result).externalId).toBeUndefined();
    expect(ldapExists(server, dn)).toBe(false);
  });

  it('moves and renames with modifyDN, keeping objectGUID', async () => {
    const ou = testOu('move');
    const from = addUser(`${testOuUnder(ou, 'Sales')}`, 'Ann');
    const { connector: ad } = connector(users(ou, { createContainers: true }));
    const guid = (await collect(ad.fullImport('user'))).objects[0]!.externalId;
    const to = `CN=Ann Smith,OU=Marketing,${ou}`;
    const [moved] = await ad.export('user', [{ id: 'm1', op: 'move', externalId: guid, dn: from, newDn: to }]);
    expect(ok(moved).dn).toBe(to);
    expect(dnByGuid(guid)?.toLowerCase()).toBe(to.toLowerCase());
    expect(ldapExists(server, from)).toBe(false);
    const [replayed] = await ad.export('user', [{ id: 'm2', op: 'move', externalId: guid, dn: from, newDn: to }]);
    expect(ok(replayed).dn?.toLowerCase()).toBe(to.toLowerCase());
  });

  it('escapes a DN value with , + " \\ < > ; = when creating, reading and moving', async () => {
    const ou = testOu('dnescape');
    const { connector: ad } = connector(users(ou, { createContainers: true }));
    const name = 'Doe, John +"\\<>;= Jr';
    const dn = `CN=${escapeDnValue(name)},${ou}`;
    const [created] = await ad.export('user', [{ id: 'c1', op: 'create', dn, attributes: { sAMAccountName: uniqueName('jd').slice(0, 20) } }]);
    const guid = ok(created).externalId!;
    const read = await collect(ad.fullImport('user'));
    expect(read.objects.map((o) => o.attributes.cn)).toEqual([name]);
    const renamed = 'Doe, Jane; "x=y" <z> \\';
    const to = `CN=${escapeDnValue(renamed)},OU=${escapeDnValue('R&D, Lab')},${ou}`;
    const [moved] = await ad.export('user', [{ id: 'm1', op: 'move', externalId: guid, dn: read.objects[0]!.dn!, newDn: to }]);
    ok(moved);
    const after = await collect(ad.fullImport('user'));
    expect(after.objects.map((o) => [o.externalId, o.attributes.cn])).toEqual([[guid, renamed]]);
  });

  it('disables and enables through userAccountControl bit 0x2, keeping DONT_EXPIRE_PASSWORD', async () => {
    const ou = testOu('uac');
    const { connector: ad } = connector(users(ou), ldaps());
    const dn = `CN=Uma,${ou}`;
    const [created] = await ad.export('user', [
      { id: 'c1', op: 'create', dn, attributes: { sAMAccountName: uniqueName('uma').slice(0, 20) }, enabled: true, password: 'Sup3r-Secret-Passw0rd!' },
    ]);
    const guid = ok(created).externalId!;
    ldapModify(server, `dn: ${dn}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: ${0x10200}\n`);
    const [disabled] = await ad.export('user', [{ id: 'd1', op: 'disable', externalId: guid }]);
    ok(disabled);
    expect(ldapValues(server, dn, 'userAccountControl')).toEqual([String(0x10202)]);
    const off = (await collect(ad.fullImport('user'))).objects[0]!;
    expect(off.enabled).toBe(false);
    expect(off.attributes.accountEnabled).toBe(false); // UAC bit 0x2 set, as a source attribute flow rules read
    const [enabled] = await ad.export('user', [{ id: 'e1', op: 'enable', externalId: guid }]);
    ok(enabled);
    expect(ldapValues(server, dn, 'userAccountControl')).toEqual([String(0x10200)]);
    const on = (await collect(ad.fullImport('user'))).objects[0]!;
    expect(on.enabled).toBe(true);
    expect(on.attributes.accountEnabled).toBe(true); // bit 0x2 clear (DONT_EXPIRE_PASSWORD 0x10000 does not matter)
  });

  it('sets the initial password over LDAPS (the account can bind) and refuses it over plain LDAP', async () => {
    const ou = testOu('password');
    const password = 'Init1al-Passw0rd!x';
    const secure = connector(users(ou), ldaps()).connector;
    const sam = uniqueName('pw').slice(0, 20);
    const dn = `CN=Pat,${ou}`;
    const [created] = await secure.export('user', [{ id: 'c1', op: 'create', dn, attributes: { sAMAccountName: sam }, enabled: true, password }]);
    expect(ok(created).heldBack).toBeUndefined();
    expect(ldapValues(server, dn, 'userAccountControl')).toEqual(['512']);
    // The account binds with the password we set.
    execFileSync('ldapsearch', ['-x', '-H', server.url, '-D', `${sam}@corp.example.test`, '-w', password, '-b', '', '-s', 'base', '1.1'], { stdio: 'pipe' });

    const plain = connector(users(ou)).connector;
    const [refused] = await plain.export('user', [{ id: 'c2', op: 'create', dn: `CN=Pia,${ou}`, attributes: { sAMAccountName: uniqueName('pia').slice(0, 20) }, enabled: true, password }]);
    expect(refused).toMatchObject({ ok: false, error: { code: 'PasswordRequiresTls', retryable: false } });
    expect(JSON.stringify(refused)).not.toContain(password);
    expect(ldapExists(server, `CN=Pia,${ou}`)).toBe(false);
  });

  it('adds and removes members incrementally, keeping members it does not manage', async () => {
    const ou = testOu('members');
    const [a, b, c, unmanaged] = ['A', 'B', 'C', 'Unmanaged'].map((cn) => addUser(ou, cn)) as [string, string, string, string];
    const group = `CN=Team,${ou}`;
    ldapModify(server, `dn: ${group}\nchangetype: add\nobjectClass: group\nmember: ${a}\nmember: ${b}\nmember: ${unmanaged}\n`);
    const { connector: ad } = connector({ group: { searchBase: ou, filter: '(objectClass=group)', attributes: ['cn', 'member'] } });
    const full = await collect(ad.fullImport('group'));
    const guid = full.objects[0]!.externalId;
    const change = { id: 'u1', op: 'update' as const, externalId: guid, dn: group, attributes: { member: { add: [c], remove: [b] } } };
    ok((await ad.export('group', [change]))[0]);
    const members = () => ldapValues(server, group, 'member').map((m) => m.toLowerCase()).sort();
    expect(members()).toEqual([a, c, unmanaged].map((m) => m.toLowerCase()).sort());
    // The confirming delta sees the group with its new members.
    const delta = await collect(ad.deltaImport('group', full.watermark!));
    const seen = delta.objects.find((o) => o.externalId === guid && !o.deleted);
    expect((seen?.attributes.member as string[]).map((m) => m.toLowerCase()).sort()).toEqual(members());
    ok((await ad.export('group', [{ ...change, id: 'u2' }]))[0]); // a replay changes nothing and does not fail
    expect(members()).toEqual([a, c, unmanaged].map((m) => m.toLowerCase()).sort());
  });

  it('updates single values by replace, clears with undefined, and deletes idempotently', async () => {
    const ou = testOu('update');
    const dn = addUser(ou, 'Ula', 'description: old\ntitle: Engineer\n');
    const { connector: ad } = connector(users(ou));
    const guid = (await collect(ad.fullImport('user'))).objects[0]!.externalId;
    ok((await ad.export('user', [{ id: 'u1', op: 'update', externalId: guid, attributes: { title: { from: 'Engineer', to: 'Lead' }, description: { from: 'old' } } }]))[0]);
    expect(ldapValues(server, dn, 'title')).toEqual(['Lead']);
    expect(ldapValues(server, dn, 'description')).toEqual([]);
    ok((await ad.export('user', [{ id: 'x1', op: 'delete', externalId: guid, dn }]))[0]);
    expect(ldapExists(server, dn)).toBe(false);
    ok((await ad.export('user', [{ id: 'x2', op: 'delete', externalId: guid, dn }]))[0]); // already gone: ok
    const [missing] = await ad.export('user', [{ id: 'u2', op: 'update', externalId: guid, attributes: { title: { to: 'X' } } }]);
    expect(missing).toMatchObject({ ok: false, error: { code: 'NoSuchObject' } });
  });
});

describe('active-directory check', () => {
  it('reports the server, latency and counts per object type', async () => {
    const ou = testOu('check');
    addUser(ou, 'Ann');
    addUser(ou, 'Bob');
    const { connector: ad } = connector({ ...users(ou), group: { searchBase: ou, filter: '(objectClass=group)' } });
    const result = await ad.check();
    expect(result).toMatchObject({ ok: true, objectTypes: { user: { count: 2 }, group: { count: 0 } } });
    expect(result.server).toMatch(/^Active Directory \(Samba/);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('gives distinct errors for bad credentials, an unreachable host, a bad base DN and TLS failures, never the password', async () => {
    const ou = testOu('checkfail');
    const wrongPassword = 'Wr0ng-Passw0rd-Value';
    const cases: Array<[string, ReturnType<typeof connector>['connector']]> = [];
    const bad = testContext('active-directory', { connection: { url: server.url, bindDn: server.bindDn, bindPassword: '{{secret:ad}}', baseDn }, objectTypes: users(ou) }, { ad: wrongPassword });
    cases.push(['InvalidCredentials', createActiveDirectoryConnector(bad.context)]);
    cases.push(['Unreachable', connector(users(ou), { url: 'ldap://127.0.0.1:1' }).connector]);
    cases.push(['BadBaseDn', connector(users(`OU=Missing,${ou}`)).connector]);
    cases.push(['TlsFailure', connector(users(ou), { url: inject('sambaLdapsUrl') }).connector]); // self-signed, no CA given
    cases.push(['TlsFailure', connector(users(ou), { ...ldaps(), tls: { caFile: inject('sambaCaFile'), servername: 'wrong.example.test' } }).connector]);
    for (const [code, c] of cases) {
      const result = await c.check();
      expect(result.ok, code).toBe(false);
      expect(result.error?.code).toBe(code);
      expect(result.error?.message).not.toContain(wrongPassword);
      expect(result.error?.message).not.toContain(server.password);
      await c.close();
    }
  });

  it('warns when binding with a password over plain LDAP to a host that is not loopback', async () => {
    const ou = testOu('plainwarn');
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    expect(address, 'this machine needs a non-loopback IPv4 address for this test').toBeDefined();
    const { connector: ad, logs } = connector(users(ou), { url: `ldap://${address}:389` });
    const result = await ad.check();
    expect(result.ok).toBe(true);
    expect(result.warnings?.join('\n')).toMatch(/password over plain ldap:\/\/.*unencrypted/);
    expect(logs.some((l) => l.level === 40 && /unencrypted/.test(String(l.msg)))).toBe(true);
    const local = await connector(users(ou)).connector.check(); // loopback: no warning
    expect(local.warnings).toBeUndefined();
  });

  it('warns when certificate verification is turned off', async () => {
    const ou = testOu('noverify');
    const { connector: ad, logs } = connector(users(ou), { url: inject('sambaLdapsUrl'), tls: { rejectUnauthorized: false } });
    const result = await ad.check();
    expect(result.ok).toBe(true);
    expect(result.warnings?.join('\n')).toMatch(/verification is off/);
    await collect(ad.fullImport('user'));
    expect(logs.some((l) => l.level === 40 && /verification is off/.test(String(l.msg)))).toBe(true);
  });
});

function testOuUnder(parent: string, name: string): string {
  const dn = `OU=${name},${parent}`;
  ldapModify(server, `dn: ${dn}\nchangetype: add\nobjectClass: organizationalUnit\n`);
  return dn;
}
