import { explain as explainObject, type Explanation } from '../engine/explain.js';
import { openStoreFrom } from './runtime.js';
import { operatorClient, refuseLocalFlags, serverHelp, serverOption } from './server/operator-client.js';
import { remoteExplain } from './server/remote-explain.js';
import { configForReading } from './stored-config.js';
import { outputFormat, parseVerbArgs, UsageError, type Verb } from './verb.js';

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
}

export function renderExplanation(e: Explanation, attribute?: string): string {
  // Named by its first join key, as plans, conflicts and the dashboard name it; the mesh id follows.
  const key = Object.values(e.keys).find((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  const lines = [`${e.type}/${key ?? e.id}${key !== undefined ? ` (mesh id ${e.id})` : ''}${e.deleted ? ' (deleted)' : ''}`];
  const keys = Object.entries(e.keys).map(([k, v]) => `${k}=${show(v)}`);
  if (keys.length > 0) lines.push(`keys: ${keys.join(', ')}`);
  for (const attribute of e.attributes) {
    const w = attribute.winner;
    lines.push('', `${attribute.name} = ${show(attribute.value)}`, `  from ${w.connector}/${w.externalId} via ${w.rule} at confidence ${w.confidence} (${w.at})`);
    for (const because of w.via ?? []) lines.push(`    because ${because}`);
    for (const loser of attribute.losers) {
      // A contribution equal to the winning value did not lose anything: it agrees.
      if (show(loser.value) === show(attribute.value)) {
        lines.push(`  agrees: from ${loser.connector}/${loser.externalId} via ${loser.rule} at confidence ${loser.confidence}`);
        continue;
      }
      lines.push(`  lost: ${show(loser.value)} from ${loser.connector}/${loser.externalId} via ${loser.rule} at confidence ${loser.confidence}${loser.confidence === w.confidence ? ' (tie: decided by rule name)' : ''}`);
    }
  }
  if (e.sources.length > 0) lines.push('', 'sources:', ...e.sources.map((s) => `  ${s.connector}/${s.objectType}/${s.externalId} (${s.rule}, ${s.how})`));
  if (e.targets.length > 0) lines.push('', 'targets:', ...e.targets.map((t) => `  ${t.projection} → ${t.connector}/${t.objectType} ${t.dn ?? t.externalId ?? '(not created)'} [${t.state}]${t.item ? ` item ${t.item}` : ''}`));
  const ref = `${e.type}/${key ?? e.id}`;
  lines.push('', `changes over time: imesh history ${/[\s'"]/.test(ref) ? JSON.stringify(ref) : ref}${attribute !== undefined ? ` ${attribute}` : ''}`);
  return lines.join('\n') + '\n';
}

export const explain: Verb = {
  help: `Usage: imesh explain TYPE/KEY [ATTR] [--format text|json] [--config DIR] [--store URL] [--server URL]

Shows, for each attribute of one mesh object, the winning value with its rule, connector, external id,
confidence and time, and the values that lost. How the values changed over time (from which source,
under which revision): imesh history TYPE/KEY [ATTR]. KEY is the mesh object's id or the value of one of its
join attributes (the mesh: side of any join rule), e.g. person/E1001. Works from the store alone (the
last applied revision); --config resolves names against another revision. It reads an existing
store, never creates one, and reads the embedded store while a controller writes to it.

${serverHelp} (a viewer token)

Exit codes: 0 found, 1 not found or ambiguous (the candidates are listed), or no store.`,
  async run(args) {
    const { values, positionals } = parseVerbArgs(args, { format: { type: 'string' }, config: { type: 'string' }, store: { type: 'string' }, ...serverOption }, true);
    const [ref, attribute, ...extra] = positionals;
    if (!ref || extra.length > 0 || !ref.includes('/')) throw new UsageError('expected TYPE/KEY and optionally ATTR, e.g. person/E1001 email');
    const slash = ref.indexOf('/');
    const format = outputFormat(values.format);
    const print = (result: Explanation) => process.stdout.write(format === 'json' ? JSON.stringify(result, null, 2) + '\n' : renderExplanation(result, attribute));
    if (values.server !== undefined) {
      refuseLocalFlags(values, ['config', 'store']);
      print(await remoteExplain(operatorClient(values.server, 'viewer'), ref.slice(0, slash), ref.slice(slash + 1), attribute));
      return 0;
    }
    const db = await openStoreFrom(values.store, { mustExist: true });
    try {
      const config = await configForReading(db, values.config);
      const result = await explainObject(db, config, ref.slice(0, slash), ref.slice(slash + 1), attribute);
      print(result);
      return 0;
    } finally {
      await db.close();
    }
  },
};
