import { history as objectHistory, type History } from '../engine/history.js';
import { renderHistory } from './history-text.js';
import { openStoreFrom } from './runtime.js';
import { operatorClient, refuseLocalFlags, serverHelp, serverOption } from './server/operator-client.js';
import { remoteHistory } from './server/remote-history.js';
import { configForReading } from './stored-config.js';
import { outputFormat, parseVerbArgs, UsageError, type Verb } from './verb.js';

export const history: Verb = {
  help: `Usage: imesh history TYPE/KEY [ATTR] [--format text|json] [--config DIR] [--store URL] [--server URL]

Shows who changed a mesh object's values, when, from which source and under which config revision:
each value an attribute took (oldest first) with the connector, source object, rule and confidence that
won it, the revision and run (job id) that recorded it, and each change exported to the object's target
objects with its result. ATTR keeps one attribute (and the exports that wrote it). KEY is the mesh
object's id or the value of one of its join attributes, as for imesh explain. Values of attributes named
like secrets (password, token, secret, …) and values holding a secret are shown as withheld. Changes are
kept for Mesh.spec.history.retain (default 400d). Reads an existing store, never creates one.

${serverHelp} (a viewer token)

Exit codes: 0 found, 1 not found or ambiguous (the candidates are listed), or no store.`,
  async run(args) {
    const { values, positionals } = parseVerbArgs(args, { format: { type: 'string' }, config: { type: 'string' }, store: { type: 'string' }, ...serverOption }, true);
    const [ref, attribute, ...extra] = positionals;
    if (!ref || extra.length > 0 || !ref.includes('/')) throw new UsageError('expected TYPE/KEY and optionally ATTR, e.g. person/E1001 title');
    const slash = ref.indexOf('/');
    const format = outputFormat(values.format);
    const print = (result: History) => process.stdout.write(format === 'json' ? JSON.stringify(result, null, 2) + '\n' : renderHistory(result));
    if (values.server !== undefined) {
      refuseLocalFlags(values, ['config', 'store']);
      print(await remoteHistory(operatorClient(values.server, 'viewer'), ref.slice(0, slash), ref.slice(slash + 1), attribute));
      return 0;
    }
    const db = await openStoreFrom(values.store, { mustExist: true });
    try {
      const config = await configForReading(db, values.config);
      print(await objectHistory(db, config, ref.slice(0, slash), ref.slice(slash + 1), attribute));
      return 0;
    } finally {
      await db.close();
    }
  },
};
