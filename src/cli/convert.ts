import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConvertError, convertFiles } from '../convert/index.js';
import { parseVerbArgs, UsageError, type Verb } from './verb.js';

const help = `Usage: imesh convert FILE… [--out DIR]

Converts configurations in the shapes of the product documents into one config repository (one Mesh,
Connectors, FlowRules, Projections, schedules) that \`imesh validate\` accepts:

  - connector bodies of the connector catalogue: { "type": "active-directory" | "entra-id" | "okta" |
    "sql", "name": …, "config": { … } } (the admin UI / API JSON)
  - directory connections: POST /api/v1/directories bodies ({ "type": "active_directory" | "ldap",
    "host", "port", "useTLS", "bindDN", "baseDN", …, "syncSchedule" }), and PUT update bodies
    ({ "attributeMapping" }, { "syncSchedule" }) converted together with the connection they update
  - the Okta runbook's ConfigJson ({ "OrgDomain", "UserSearchFilter", … }) and AuthJson
    ({ "Mode", "ApiKey" }), alone or as { "ConfigJson": …, "AuthJson": … }
  - the SCIM group mapping YAML: scimGroupMappings: [{ scimGroup, type, teamId, teamMemberRole }]

Several files (or a JSON array of bodies) become one repository with one Mesh. A field with no
equivalent is kept as a YAML comment saying why (an admin UI → Git; DPAPI / a secret store → secret
references). Secrets are references, "{{secret:NAME}}": a password written in clear in an input is
never copied, not even into a comment; the secrets to create are listed on stdout by name.

Files are written under DIR as mesh.yaml and one <connector>.yaml per connector (with its FlowRules
and Projections). An existing file with other content is not overwritten.

Flags:
  --out DIR   where to write the repository (default: .)

Exit codes:
  0  the repository was written
  1  an input could not be read or is not a shape imesh convert knows (the file and the reason are
     printed), an output file already exists with other content, or the command was used wrongly
`;

export const convert: Verb = {
  help,
  async run(args) {
    const { values, positionals } = parseVerbArgs(args, { out: { type: 'string' } }, true);
    if (positionals.length === 0) throw new UsageError('give at least one input FILE');
    const out = resolve(values.out ?? '.');
    let result;
    try {
      result = await convertFiles(positionals);
    } catch (error) {
      if (!(error instanceof ConvertError)) throw error;
      process.stderr.write(`imesh convert: ${error.message} [${error.code}]\n`);
      return 1;
    }
    // Check every file first, so nothing is half written when one would overwrite something else.
    for (const [path, content] of result.files) {
      const existing = await readFile(join(out, path), 'utf8').catch(() => undefined);
      if (existing !== undefined && existing !== content) {
        process.stderr.write(`imesh convert: ${join(out, path)} already exists with other content; not overwritten (use another --out, or move it away)\n`);
        return 1;
      }
    }
    for (const [path, content] of result.files) {
      const file = join(out, path);
      await mkdir(dirname(file), { recursive: true });
      const temp = `${file}.tmp-${process.pid}`;
      await writeFile(temp, content, { mode: 0o644 });
      await rename(temp, file);
    }
    const lines = [`wrote ${result.files.size} files to ${out}:`, ...[...result.files.keys()].map((p) => `  ${p}`)];
    if (result.secrets.length > 0) {
      lines.push('', 'secrets to create (IMESH_SECRET_<NAME> or $IMESH_SECRETS_DIR/<name>):');
      for (const s of result.secrets) lines.push(`  ${s.name}: ${s.holds}`);
    }
    lines.push('', `next: imesh validate --config ${out}`);
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
