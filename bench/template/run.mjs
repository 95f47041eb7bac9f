#!/usr/bin/env node
/**
 * Template render cost at N objects (default 100,000): `npm run build && node bench/template/run.mjs [N]`.
 * Renders four templates per object — a plain one (today's filters), a sAMAccountName with the naming
 * filters, a DN with RFC 4514 escaping, and an eq comparison — and prints the median of 7 rounds per
 * template (ms per N objects, and µs per render). Compilation happens once, as per config revision.
 */
import { compileTemplate } from '../../dist/config/template.js';
import { escapeDnValue } from '../../dist/config/escape.js';

const n = Number(process.argv[2] ?? 100_000);
const given = ['Zoë', 'Ada', 'Łukasz', 'Søren', 'José', 'Ingrid', 'Þór', 'Mary Ann'];
const family = ['Ångström', 'Lovelace', 'Wałęsa', 'Kierkegaard', 'García-Márquez', 'Straße', "O'Neil", 'van der Berg'];
const objects = Array.from({ length: n }, (_, i) => ({
  employeeId: `E${100000 + i}`,
  givenName: given[i % given.length],
  sn: family[(i * 7) % family.length],
  department: i % 3 === 0 ? 'R&D, Labs' : 'Sales',
  userName: `user${i}@contoso.com`,
  workEmail: i % 2 === 0 ? `User${i}@Contoso.com` : `other${i}@contoso.com`,
}));

const templates = {
  'plain: {{givenName}} {{sn}} / {{employeeId | lower}}': ['{{givenName}} {{sn}} / {{employeeId | lower}}'],
  'sAMAccountName: ascii, first, lower, replace, truncate': ['{{givenName | ascii | first:1 | lower}}{{sn | ascii | lower | replace:" ":"" | replace:"-":"" | truncate:19}}'],
  'DN with RFC 4514 escaping': ['CN={{givenName}} {{sn}},OU={{department}},DC=corp,DC=example', escapeDnValue],
  'eq: {{userName | eq:workEmail}}': ['{{userName | eq:workEmail}}'],
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
let sink = 0;
console.log(`node ${process.version}, ${n.toLocaleString('en')} objects, median of 7 rounds (after 1 warm-up)`);
for (const [label, [source, escape]] of Object.entries(templates)) {
  const template = compileTemplate(source);
  const rounds = [];
  for (let round = 0; round < 8; round++) {
    const started = process.hrtime.bigint();
    for (const object of objects) {
      const result = template.render((name) => (Object.hasOwn(object, name) ? object[name] : undefined), escape);
      if (result.ok) sink += String(result.value).length;
    }
    if (round > 0) rounds.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const ms = median(rounds);
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms  ${((ms * 1000) / n).toFixed(2)} µs/render`);
}
if (sink === 0) throw new Error('nothing rendered');
