#!/usr/bin/env node
/**
 * Renders docs/config-reference.md from schemas/*.schema.json (npm run gen:docs): every property's
 * path, type, default and description. `--check` writes nothing and exits 1 when the file is stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaDir = join(root, 'schemas');
const outFile = join(root, 'docs', 'config-reference.md');

const schemas = new Map();
function load(file) {
  if (!schemas.has(file)) schemas.set(file, JSON.parse(readFileSync(join(schemaDir, file), 'utf8')));
  return schemas.get(file);
}

/** Follows a $ref (local or to another schema file); sibling keywords override the target's. */
function resolve(schema, file) {
  if (!schema.$ref) return { schema, file, name: undefined };
  const [refFile, pointer = ''] = schema.$ref.split('#');
  const targetFile = refFile || file;
  let target = load(targetFile);
  for (const part of pointer.split('/').filter(Boolean)) target = target[part];
  const { $ref, ...siblings } = schema;
  const inner = resolve(target, targetFile);
  return { schema: { ...inner.schema, ...siblings }, file: inner.file, name: pointer.split('/').pop() };
}

function typeOf(schema, file) {
  const r = resolve(schema, file);
  const s = r.schema;
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${v}\``).join(' | ');
  if (['Duration', 'Cron', 'SecretRef', 'Template'].includes(r.name)) return r.name === 'SecretRef' ? 'secret reference' : r.name.toLowerCase();
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes('array')) return `list of ${s.items ? typeOf(s.items, r.file) : 'values'}`;
  if (types.includes('object') && s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) {
    return `map of ${typeOf(s.additionalProperties, r.file)}`;
  }
  if (types.includes('object')) return 'object';
  if (s.anyOf) return s.anyOf.map((a) => typeOf(a, r.file)).join(' or ');
  return types.join(' or ') || 'any';
}

function cell(text) {
  return String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Rows for every property below `schema`, depth first, in schema order. */
function rows(schema, file, path, out, stack = []) {
  const r = resolve(schema, file);
  const s = r.schema;
  if (r.name && stack.includes(r.name)) return out;
  const nextStack = r.name ? [...stack, r.name] : stack;
  const required = new Set(s.required ?? []);
  for (const [name, property] of Object.entries(s.properties ?? {})) {
    const p = resolve(property, r.file);
    const propertyPath = path ? `${path}.${name}` : name;
    const itemName = p.schema.items ? resolve(p.schema.items, p.file).name : undefined;
    const recursive = (p.name && nextStack.includes(p.name)) || (itemName && nextStack.includes(itemName));
    out.push({
      path: propertyPath,
      type: typeOf(property, r.file),
      required: required.has(name),
      default: p.schema.default,
      description: (p.schema.description ?? '') + (recursive ? ' Nests: each item takes the same keys as this object.' : ''),
    });
    if (recursive) continue;
    rows(property, r.file, propertyPath, out, nextStack);
    const items = p.schema.items;
    if (items) rows(items, p.file, `${propertyPath}[]`, out, nextStack);
    const map = p.schema.additionalProperties;
    if (map && typeof map === 'object' && !p.schema.properties) rows(map, p.file, `${propertyPath}.<name>`, out, nextStack);
  }
  return out;
}

function table(list) {
  const lines = ['| Key | Type | Default | Description |', '|---|---|---|---|'];
  for (const row of list) {
    const def = row.default === undefined ? (row.required ? '*required*' : '') : `\`${JSON.stringify(row.default)}\``;
    lines.push(`| \`${cell(row.path)}\` | ${cell(row.type)} | ${cell(def)} | ${cell(row.description)} |`);
  }
  return lines.join('\n');
}

function kindSection(file, kind) {
  const schema = load(file);
  const parts = [`## ${kind}`, '', schema.description, '', `Schema: [\`schemas/${file}\`](../schemas/${file})`, ''];
  const spec = resolve(schema.properties.spec, file);
  if (spec.schema.oneOf) {
    parts.push('`spec.type` selects the connector type; each type has its own keys.', '');
    for (const branch of spec.schema.oneOf) {
      const b = resolve(branch, spec.file);
      const type = resolve(b.schema.properties.type, b.file).schema.const;
      parts.push(`### ${kind}: \`${type}\``, '', b.schema.description, '', table(rows(branch, spec.file, 'spec', [])), '');
    }
  } else {
    parts.push(table(rows(schema.properties.spec, file, 'spec', [])), '');
  }
  return parts.join('\n');
}

function render() {
  const common = load('common.schema.json').$defs;
  return [
    '<!-- Generated from schemas/*.schema.json by `npm run gen:docs`. Do not edit: change the schemas and regenerate. -->',
    '# Config reference',
    '',
    'Every document in the config repository has `apiVersion: identitymesh.dev/v1alpha1`, a `kind`, `metadata` and a `spec`.',
    'This reference lists every key of each kind: its path, type, default and meaning. Keys not listed are errors.',
    '',
    '| Key | Type | Default | Description |',
    '|---|---|---|---|',
    `| \`apiVersion\` | \`"identitymesh.dev/v1alpha1"\` | *required* | ${cell(common.ApiVersion.description)} |`,
    '| `kind` | `Mesh` \\| `Connector` \\| `FlowRule` \\| `Projection` \\| `Policy` | *required* | The document kind. |',
    ...rows({ type: 'object', properties: { metadata: { $ref: 'common.schema.json#/$defs/Metadata' } }, required: ['metadata'] }, 'common.schema.json', '', []).map((row) => {
      const def = row.required ? '*required*' : '';
      return `| \`${cell(row.path)}\` | ${cell(row.type)} | ${def} | ${cell(row.description)} |`;
    }),
    '',
    'Value formats:',
    '',
    ...['Duration', 'Cron', 'SecretRef', 'Template'].map((name) => `- **${name === 'SecretRef' ? 'secret reference' : name.toLowerCase()}**: ${common[name].description}`),
    '',
    kindSection('mesh.schema.json', 'Mesh'),
    kindSection('connector.schema.json', 'Connector'),
    kindSection('flowrule.schema.json', 'FlowRule'),
    kindSection('projection.schema.json', 'Projection'),
    kindSection('policy.schema.json', 'Policy'),
  ].join('\n');
}

const text = render().replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
const current = existsSync(outFile) ? readFileSync(outFile, 'utf8') : undefined;
if (process.argv.includes('--check')) {
  if (current !== text) {
    process.stderr.write('docs/config-reference.md is stale; run npm run gen:docs\n');
    process.exitCode = 1;
  }
} else if (current !== text) {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, text);
  process.stderr.write('wrote docs/config-reference.md\n');
}
