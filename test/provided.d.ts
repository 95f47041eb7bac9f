import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://… of the test PostgreSQL server (database `test`). */
    pgUrl: string;
    /** Samba AD DC (test/services/samba.ts): ldap://127.0.0.1:389, simple binds allowed over plain LDAP. */
    sambaUrl: string;
    /** ldaps://127.0.0.1:636; verify with sambaCaFile and sambaServername. */
    sambaLdapsUrl: string;
    /** `Administrator@corp.example.test` (a UPN, which AD accepts as a bind name). */
    sambaBindDn: string;
    sambaPassword: string;
    /** DC=corp,DC=example,DC=test */
    sambaBaseDn: string;
    /** The DC's self-signed CA (PEM). */
    sambaCaFile: string;
    /** The host name in the DC's certificate (VM.corp.example.test on these machines). */
    sambaServername: string;
    /** The DC's folder (smb.conf, private/sam.ldb). */
    sambaDir: string;
    /** OU=Bulk,… holding sambaBulkUsers pre-provisioned users (CN=bulk1 … CN=bulkN). */
    sambaBulkOu: string;
    sambaBulkUsers: string;
    /** OpenLDAP slapd (test/services/slapd.ts): ldap://127.0.0.1:3389, StartTLS available. */
    slapdUrl: string;
    /** cn=admin,dc=example,dc=test (the rootdn). */
    slapdBindDn: string;
    slapdPassword: string;
    /** dc=example,dc=test */
    slapdBaseDn: string;
    /** CA of slapd's StartTLS certificate. */
    slapdCaFile: string;
    /** The host name in slapd's certificate (slapd.imesh.test). */
    slapdServername: string;
  }
}
