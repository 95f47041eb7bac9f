import type { CheckResult } from '../connectors/sdk.js';

/** One connector's check as `imesh check` prints it (ok/FAIL, latency, server, counts, error, warnings). */
export function checkLines(r: CheckResult & { readonly name: string; readonly type: string }): string {
  const counts = Object.entries(r.objectTypes).map(([t, c]) => `${t}=${c.count}`).join(' ');
  let text = `${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.type}) ${r.latencyMs} ms${r.server ? ` ${r.server}` : ''}${counts ? ` ${counts}` : ''}${r.error ? `\n     ${r.error.code}: ${r.error.message}` : ''}\n`;
  for (const warning of r.warnings ?? []) text += `     warning: ${warning}\n`;
  return text;
}
