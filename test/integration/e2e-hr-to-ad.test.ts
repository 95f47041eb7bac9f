/**
 * End to end (issue 4): HR rows in a real PostgreSQL table → the mesh → users in a real Samba AD, through
 * the real CLI (`imesh reconcile` as a child process, PostgreSQL store). The story: hires are created
 * enabled (initial password from a secret, over LDAPS) in `OU={{department}}` below this file's own OU;
 * a department change moves the account (same objectGUID); a leaver is disabled (UAC bit 0x2, other
 * bits kept, the object stays); a manual AD edit is reported as drift under `drift: report` and
 * corrected once the projection says `drift: enforce`.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configText, connector, hrToPerson, HR_PERSON, mesh, projection, sqlConnector } from '../fixtures/config-yaml.js';
import { removeTempDirs, tempDir } from '../git/temp-repo.js';
import { dropSchemas, imesh, readReport, reconcile, storeUrl, uniqueSchema, validate, withClient, writeConfig, type Workspace } from './e2e-support.js';
import { ldapDeleteTree, ldapModify, uniqueName, type Server } from './ldap-support.js';

const pgUrl = inject('pgUrl');
const server: Server = { url: inject('sambaUrl'), bindDn: inject('sambaBindDn'), password: inject('sambaPassword') };
const baseDn = inject('sambaBaseDn');
const rootName = uniqueName('imesh-e2e');
const root = `OU=${rootName},${baseDn}`;
/** sAMAccountName is unique in the whole domain: suffix ours per run (≤ 20 characters in all). */
const samSuffix = rootName.slice(-8);
const schema = uniqueSchema('e2e_hr_ad');
const storeSchema = `${schema}_store`;
const INITIAL_PASSWORD = 'Mesh-Initial!2026x';

const ws: Workspace = {
  cwd: tempDir('imesh-e2e-ad-'),
  get config() {
    return `${this.cwd}/config`;
  },
  storeUrl: storeUrl(pgUrl, storeSchema),
  secrets: {
    IMESH_SECRET_HR_DB_URL: pgUrl,
    IMESH_SECRET_AD_PASSWORD: inject('sambaPassword'),
    IMESH_SECRET_AD_INITIAL_PASSWORD: INITIAL_PASSWORD,
  },
};

function configFiles(drift: 'report' | 'enforce'): Record<string, string> {
  return {
    // three people: one leaver is a third of them
    'mesh.yaml': mesh({ person: HR_PERSON }, { name: 'corp', safety: { maxDeletes: 10, maxDeletePercent: 100 } }),
    'connectors.yaml': configText(
      connector('corporate-ad', 'active-directory', {
        connection: {
          url: inject('sambaLdapsUrl'),
          bindDn: inject('sambaBindDn'),
          bindPassword: '{{secret:ad-password}}',
          baseDn,
          tls: { caFile: inject('sambaCaFile'), servername: inject('sambaServername') },
        },
        objectTypes: {
          user: {
            searchBase: root,
            filter: '(&(objectClass=user)(objectCategory=person))',
            attributes: ['sAMAccountName', 'mail', 'givenName', 'sn', 'displayName', 'employeeNumber', 'title'],
            createContainers: true,
          },
        },
      }),
      sqlConnector('hr-db', 'postgres', 'hr-db-url', {
        user: {
          table: `${schema}.employees`,
          externalIdColumn: 'employee_id',
          watermarkColumn: 'modified_at',
          deltaColumnType: 'datetime',
          columnsToLoad: ['employee_id', 'first_name', 'last_name', 'email', 'department', 'title', 'is_active', 'modified_at'],
        },
      }),
    ),
    'flows.yaml': hrToPerson('hr-db/user'),
    'projections.yaml': projection('person-to-ad', {
      target: 'corporate-ad/user',
      before: {
        scope: { all: [{ attribute: 'employeeId', present: true }] },
        join: [{ target: 'employeeNumber', mesh: 'employeeId' }],
        container: `OU={{department}},${root}`,
        rdn: 'CN={{displayName}}',
      },
      attributes: {
        sAMAccountName: `{{employeeId | lower}}-${samSuffix}`,
        givenName: '{{firstName}}',
        sn: '{{lastName}}',
        mail: '{{email}}',
        title: '{{title}}',
        employeeNumber: '{{employeeId}}',
      },
      after: { enabled: '{{active}}', password: { initial: '{{secret:ad-initial-password}}' }, onRemove: 'disable', drift },
    }),
  };
}

interface AdUser {
  readonly dn: string;
  /** objectGUID as ldapsearch prints it (base64 of the 16 bytes): equal strings, same object. */
  readonly guid: string;
  readonly uac: number;
  readonly attributes: Record<string, string>;
}

/** The accounts below this file's OU, by employeeNumber, read with ldapsearch (not the code under test). */
function adUsers(): Map<string, AdUser> {
  const out = execFileSync(
    'ldapsearch',
    ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', server.url, '-D', server.bindDn, '-w', server.password, '-b', root, '-s', 'sub', '(&(objectClass=user)(employeeNumber=*))', 'objectGUID', 'userAccountControl', 'employeeNumber', 'title', 'mail', 'sAMAccountName'],
    { encoding: 'utf8' },
  );
  const users = new Map<string, AdUser>();
  for (const block of out.split(/\n\n+/)) {
    const attributes: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const match = /^([^:]+)(::?) ?(.*)$/.exec(line);
      if (match) attributes[match[1]!.toLowerCase()] = match[2] === '::' && match[1] !== 'objectGUID' ? Buffer.from(match[3]!, 'base64').toString('utf8') : match[3]!;
    }
    if (!attributes.dn || !attributes.employeenumber) continue;
    users.set(attributes.employeenumber, { dn: attributes.dn, guid: attributes.objectguid!, uac: Number(attributes.useraccountcontrol), attributes });
  }
  return users;
}

function user(employeeId: string): AdUser {
  const found = adUsers().get(employeeId);
  if (!found) throw new Error(`no AD account with employeeNumber ${employeeId} below ${root}`);
  return found;
}

/** True when the account accepts a simple bind with this password (AD refuses disabled accounts too). */
function canBind(dn: string, password: string): boolean {
  try {
    execFileSync('ldapsearch', ['-x', '-LLL', '-H', server.url, '-D', dn, '-w', password, '-b', '', '-s', 'base', '1.1'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

async function hr(sql: string, params: unknown[] = []): Promise<void> {
  await withClient(pgUrl, async (client) => {
    await client.query(sql, params);
  });
}

interface DriftEntry {
  projection: string;
  connector: string;
  object: string;
  attribute: string;
  desired: unknown;
  actual: unknown;
  action: string;
}

const ACCOUNTDISABLE = 0x2;
const NORMAL_ACCOUNT = 0x200;

beforeAll(async () => {
  ldapModify(server, `dn: ${root}\nchangetype: add\nobjectClass: organizationalUnit\n`);
  await hr(`CREATE SCHEMA ${schema}`);
  await hr(`CREATE TABLE ${schema}.employees (
    employee_id text PRIMARY KEY, first_name text, last_name text, email text, department text, title text,
    is_active boolean NOT NULL DEFAULT true, modified_at timestamptz NOT NULL DEFAULT now())`);
  await hr(
    `INSERT INTO ${schema}.employees (employee_id, first_name, last_name, email, department, title) VALUES
      ('E1', 'Ann', 'Alpha', 'ann.alpha@corp.example.test', 'Engineering', 'Engineer'),
      ('E2', 'Bob', 'Beta', 'bob.beta@corp.example.test', 'Operations', 'Operator'),
      ('E3', 'Cy', 'Gamma', 'cy.gamma@corp.example.test', 'Engineering', 'Architect')`,
  );
  writeConfig(ws, configFiles('report'));
});

afterAll(async () => {
  ldapDeleteTree(server, root);
  await dropSchemas(pgUrl, [schema, storeSchema]);
  removeTempDirs();
});

describe('HR (PostgreSQL) → mesh → Active Directory, through imesh reconcile', () => {
  let created: Map<string, AdUser>;

  it('creates every hire enabled, with its initial password, in OU={{department}} (containers created); a re-plan is empty', () => {
    validate(ws);
    const first = reconcile(ws);
    expect(first.stdout).toContain('3 created');

    created = adUsers();
    expect([...created.keys()].sort()).toEqual(['E1', 'E2', 'E3']);
    expect(created.get('E1')!.dn).toBe(`CN=Ann Alpha,OU=Engineering,${root}`);
    expect(created.get('E2')!.dn).toBe(`CN=Bob Beta,OU=Operations,${root}`);
    expect(created.get('E3')!.dn).toBe(`CN=Cy Gamma,OU=Engineering,${root}`);
    expect(created.get('E1')!.attributes).toMatchObject({ samaccountname: `e1-${samSuffix}`, mail: 'ann.alpha@corp.example.test', title: 'Engineer' });
    for (const account of created.values()) {
      expect(account.guid).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(account.uac & ACCOUNTDISABLE).toBe(0); // enabled: the password made that possible
      expect(account.uac & NORMAL_ACCOUNT).toBe(NORMAL_ACCOUNT);
    }
    expect(canBind(created.get('E1')!.dn, INITIAL_PASSWORD)).toBe(true);
    expect(readReport<{ conflicts: unknown[] }>(ws, 'conflicts').conflicts).toEqual([]); // nothing held back

    expect(reconcile(ws).stdout).toContain('nothing to export');
    const plan = imesh(ws, 'plan', '--config', ws.config, '--detailed-exitcode');
    expect(plan.status, plan.stdout + plan.stderr).toBe(0);
  });

  it('moves a person whose department changes to the new OU, keeping the objectGUID (never delete + add)', async () => {
    await hr(`UPDATE ${schema}.employees SET department = 'Sales', modified_at = now() WHERE employee_id = 'E1'`);
    expect(reconcile(ws).stdout).toContain('1 moved');

    const moved = user('E1');
    expect(moved.dn).toBe(`CN=Ann Alpha,OU=Sales,${root}`);
    expect(moved.guid).toBe(created.get('E1')!.guid);
    expect(moved.uac & ACCOUNTDISABLE).toBe(0);
    expect(adUsers().size).toBe(3); // nothing created or deleted
  });

  it('disables a leaver (is_active false): UAC bit 0x2 set, other bits kept, the object still there', async () => {
    await hr(`UPDATE ${schema}.employees SET is_active = false, modified_at = now() WHERE employee_id = 'E2'`);
    expect(reconcile(ws).stdout).toContain('1 disabled');

    const leaver = user('E2');
    expect(leaver.dn).toBe(created.get('E2')!.dn);
    expect(leaver.guid).toBe(created.get('E2')!.guid);
    expect(leaver.uac).toBe(created.get('E2')!.uac | ACCOUNTDISABLE);
    expect(canBind(leaver.dn, INITIAL_PASSWORD)).toBe(false);
    expect(user('E1').uac & ACCOUNTDISABLE).toBe(0);
    expect(user('E3').uac & ACCOUNTDISABLE).toBe(0);
  });

  it('reports a manual AD edit as drift under drift: report (AD left as edited), then corrects it under drift: enforce', () => {
    const cy = user('E3');
    ldapModify(server, `dn: ${cy.dn}\nchangetype: modify\nreplace: title\ntitle: Self-Appointed CTO\n`);

    reconcile(ws);
    const reported = readReport<{ drift: DriftEntry[] }>(ws, 'drift').drift;
    expect(reported).toEqual([
      expect.objectContaining({ projection: 'person-to-ad', connector: 'corporate-ad', object: cy.dn, attribute: 'title', desired: 'Architect', actual: 'Self-Appointed CTO', action: 'reported' }),
    ]);
    expect(user('E3').attributes.title).toBe('Self-Appointed CTO');

    writeConfig(ws, configFiles('enforce'));
    validate(ws);
    expect(reconcile(ws).stdout).toContain('1 updated');
    const corrected = readReport<{ drift: DriftEntry[] }>(ws, 'drift').drift;
    expect(corrected).toEqual([
      expect.objectContaining({ projection: 'person-to-ad', object: cy.dn, attribute: 'title', desired: 'Architect', actual: 'Self-Appointed CTO', action: 'corrected' }),
    ]);
    const after = user('E3');
    expect(after.attributes.title).toBe('Architect');
    expect(after.guid).toBe(cy.guid);

    // Corrected means settled: the next cycle finds no drift and nothing to do.
    expect(reconcile(ws).stdout).toContain('nothing to export');
    expect(readReport<{ drift: DriftEntry[] }>(ws, 'drift').drift).toEqual([]);
  });
});

