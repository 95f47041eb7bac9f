// Markdown tables for the benchmarks' summaries (pasted into bench/README.md by whoever measures).

/** Prints rows as a Markdown table; `columns` is a list of [header, (row) => value, align?]. */
export function printTable(rows, columns) {
  const cell = (value) => (value === undefined || value === null || Number.isNaN(value) ? '—' : String(value));
  console.log(`\n| ${columns.map(([header]) => header).join(' | ')} |`);
  console.log(`|${columns.map(([, , align]) => (align === 'left' ? '---' : '---:')).join('|')}|`);
  for (const row of rows) console.log(`| ${columns.map(([, value]) => cell(value(row))).join(' | ')} |`);
}

/** The columns every reconcile row has: whole process, in-process cycle, memory, load. */
export const RECONCILE_COLUMNS = [
  ['cycle', (r) => r.label, 'left'],
  ['exit', (r) => r.exit],
  ['whole process s', (r) => r.seconds],
  ['CPU s (user+sys)', (r) => r.cpuSeconds],
  ['in-process cycle s', (r) => r.cycleSeconds],
  ['peak RSS MB', (r) => r.peakRssMb],
  ['load (1 min)', (r) => r.load1],
  ['stage timings (ms)', (r) => stages(r.timings), 'left'],
];

export function stages(timings = {}) {
  return Object.entries(timings)
    .map(([stage, ms]) => `${stage} ${ms.toLocaleString('en')}`)
    .join(' · ');
}
