import type { Verb } from './verb.js';

export const run: Verb = {
  name: 'run',
  summary: 'The controller: watch Git, run on schedules, serve HTTP endpoints (not built yet)',
  help: `Usage: imesh run [--config DIR | --repo URL --branch B --path P] [--poll-interval 1m] [--port 8080]

The long-running controller (DESIGN.md §5). It is not built yet in this version: run
imesh reconcile on a schedule (cron, a Kubernetes CronJob) until it lands.`,
  async run() {
    process.stderr.write('imesh run: the controller is not built yet in this version; use imesh reconcile on a schedule\n');
    return 1;
  },
};
