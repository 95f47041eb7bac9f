import { resolve } from 'node:path';
import { compileStoredFiles, loadConfig } from '../config/index.js';
import { parseDuration } from '../config/duration.js';
import { mountOperatorRoutes } from '../controller/api/operator-routes.js';
import { directorySource, gitSource } from '../controller/config-sources.js';
import { Controller } from '../controller/controller.js';
import { DEFAULT_LEADER_RETRY, DEFAULT_POLL_INTERVAL, DEFAULT_PORT, PORT_ENV, SHUTDOWN_GRACE_MS, WEBHOOK_SECRET_ENV } from '../controller/endpoints.js';
import { advisoryLockLeader, leaderLockKey, singleProcessLeader, type LeaderElector } from '../controller/leader-election.js';
import { ControllerMetrics } from '../controller/metrics.js';
import { ScimInbox } from '../controller/scim/inbox.js';
import { mountScimEndpoints } from '../controller/scim/scim-endpoint.js';
import { unimportedPushes, waitingSyncJobs } from '../controller/store-requests.js';
import { openPostgresLockSession, storeLockScope } from '../store/advisory-lock.js';
import { repoSource } from '../controller/repo-source.js';
import { GitReportPublisher, localPublisher, type ReportPublisher } from '../controller/report-publisher.js';
import { configRevision } from '../git/index.js';
import { ConfigError, errorMessage } from '../shared/errors.js';
import { logger, registerSecret } from '../shared/logger.js';
import { storeUrlFrom } from '../store/open-store.js';
import { dataRootHelp, dataRootOption, dataRootsFrom } from './data-roots.js';
import { connectorOpener, openStoreFrom, publishReports } from './runtime.js';
import { configLocation, configLocationFlags } from './config-location.js';
import { parseVerbArgs, UsageError, type Verb } from './verb.js';

function duration(value: string, flag: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} takes a duration such as 30s, 1m or 1h30m, not "${value}"`);
  return ms;
}

function port(value: string | undefined): number {
  const text = value ?? (process.env[PORT_ENV] || String(DEFAULT_PORT));
  if (!/^\d+$/.test(text) || Number(text) > 65_535) throw new UsageError(`--port (or ${PORT_ENV}) takes a port number, not "${text}"`);
  return Number(text);
}

export const run: Verb = {
  help: `Usage: imesh run [--config DIR | --repo URL [--branch B] [--path P]] [--poll-interval 1m] [--port 8080] [--store URL] [--data-root DIR]

The long-running controller. It watches the config (a directory, or a branch of a Git repository),
validates each new revision, reconciles on the Mesh's schedule (delta every spec.schedule.interval,
full on the spec.schedule.full cron, UTC), and commits status, drift and conflict reports to the
reports branch (pushed to the remote with --repo). An invalid revision never stops the last good one:
it is reported as ConfigInvalid in status, on the reports branch and in /metrics.

  --config DIR               config directory (default .), re-read every poll interval
  --repo URL                 Git repository: https://…, ssh://…, git@host:path, file://… or a local path
  --branch B                 branch to follow (default main)
  --path P                   config path inside the repository (default .)
  --poll-interval D          how often to fetch (default ${DEFAULT_POLL_INTERVAL}, ±10% jitter); POST /hooks/git fetches at once
  --port N                   HTTP port (default ${DEFAULT_PORT}, or ${PORT_ENV})
  --store URL                postgres://… (or IMESH_STORE_URL; replicas elect a leader); default .imesh/state
  --checkout-dir DIR         where --repo is cloned (default .imesh/checkout/)
  --git-username NAME        user name sent with an HTTPS token (default x-access-token)
  --git-token-secret NAME    secret holding the HTTPS token (default git-token)
  --git-ssh-key-secret NAME  secret holding the SSH private key (default git-ssh-key)
  --git-known-hosts-secret NAME  secret holding known_hosts lines (default git-known-hosts; else accept-new)
  --leader-retry-interval D  how often a standby asks for the leader lock (default ${DEFAULT_LEADER_RETRY})
${dataRootHelp}

HTTP: GET /healthz (alive), GET /readyz (the leader once a cycle succeeded, or while its first runs; JSON says
leader or standby), GET /metrics (Prometheus), POST /hooks/git (GitHub X-Hub-Signature-256 or GitLab
X-Gitlab-Token, verified against ${WEBHOOK_SECRET_ENV}; 404 when it is not set).
Secrets: IMESH_SECRET_<NAME> or files in IMESH_SECRETS_DIR. Logs: JSON lines on stderr.
SIGTERM/SIGINT: finish the current export batch, release the lock, exit 0 within 30 s.`,
  async run(args) {
    const { values } = parseVerbArgs(args, {
      ...configLocationFlags,
      'poll-interval': { type: 'string' },
      port: { type: 'string' },
      store: { type: 'string' },
      'checkout-dir': { type: 'string' },
      'git-username': { type: 'string' },
      'git-token-secret': { type: 'string' },
      'git-ssh-key-secret': { type: 'string' },
      'git-known-hosts-secret': { type: 'string' },
      'leader-retry-interval': { type: 'string' },
      ...dataRootOption,
    });
    const location = configLocation(values);
    const pollIntervalMs = duration(values['poll-interval'] ?? DEFAULT_POLL_INTERVAL, '--poll-interval');
    const retryMs = duration(values['leader-retry-interval'] ?? DEFAULT_LEADER_RETRY, '--leader-retry-interval');
    const httpPort = port(values.port);
    const dataRoots = dataRootsFrom(values['data-root']);
    const webhookSecret = process.env[WEBHOOK_SECRET_ENV] || undefined;
    if (webhookSecret) registerSecret(webhookSecret);

    // Listen first: a SIGTERM that arrives while the store opens still ends in a clean exit 0.
    const signal = new Promise<string>((resolveSignal) => {
      process.once('SIGTERM', () => resolveSignal('SIGTERM'));
      process.once('SIGINT', () => resolveSignal('SIGINT'));
    });
    const log = logger();
    const metrics = new ControllerMetrics();
    const storeUrl = storeUrlFrom(values.store);
    const db = await openStoreFrom(values.store);
    let controller: Controller | undefined;
    let scim: { close(): void; pending(): boolean } | undefined;
    try {
      let source;
      let publisher: ReportPublisher;
      if (location.kind === 'repo') {
        const git = repoSource({
          url: location.url,
          branch: location.branch,
          path: location.path,
          checkoutDir: values['checkout-dir'],
          username: values['git-username'],
          tokenSecret: values['git-token-secret'],
          sshKeySecret: values['git-ssh-key-secret'],
          knownHostsSecret: values['git-known-hosts-secret'],
        });
        source = gitSource(git);
        publisher = new GitReportPublisher({
          git,
          log,
          commit: (reports, revision, files, message) => publishReports(reports, { revision, repoRoot: git.mirrorDir }, files, message),
          onPushFailed: () => metrics.reportsPushFailed(),
        });
      } else {
        const configDir = resolve(location.dir);
        source = directorySource(configDir);
        publisher = localPublisher(async (reports, revision, files, message) => {
          const git = await configRevision(configDir).catch(() => undefined);
          const repoRoot = git?.inGit && git.revision !== null ? git.repoRoot : undefined;
          return publishReports(reports, { revision, ...(repoRoot ? { repoRoot } : {}) }, files, message);
        });
      }
      // scim-inbound connectors: the endpoint writes pushed resources to the store's inbox, imports read it.
      const inbox = await ScimInbox.open(db);
      const elector: LeaderElector =
        db.kind === 'postgres' && storeUrl
          ? advisoryLockLeader({ openSession: () => openPostgresLockSession(storeUrl), key: leaderLockKey(storeLockScope(storeUrl)), retryMs, log })
          : singleProcessLeader();
      controller = new Controller({
        source,
        publisher,
        db,
        elector,
        metrics,
        log,
        openConnector: (config) => connectorOpener(config, log, inbox, dataRoots),
        loadConfig,
        compileFromFiles: compileStoredFiles,
        pollIntervalMs,
        port: httpPort,
        // Replicas share a PostgreSQL store: what a standby took (sync requests, SCIM pushes) waits there for the leader.
        ...(db.kind === 'postgres' ? { storeRequests: [waitingSyncJobs(db), unimportedPushes(inbox, () => scim?.pending() ?? false)] } : {}),
        ...(webhookSecret ? { webhookSecret } : {}),
      });
      // The operator API (/api/v1/) and the dashboard (/) on the same port; SCIM endpoints mount the same way.
      mountOperatorRoutes(controller.http, controller.operatorPort());
      const port = controller.operatorPort();
      const running = controller;
      scim = mountScimEndpoints(controller.http, { inbox, config: port.config, secrets: port.secrets, log, requestCycle: (reason) => running.requestCycle(reason, 'delta', null, 'scim') });

      await controller.start();
      log.info({ event: 'started', source: source.description, store: db.location, leaderElection: elector.kind, pollIntervalMs }, 'controller started');
      const received = await signal;
      // Whatever happens, exit within the grace period Kubernetes gives (terminationGracePeriodSeconds).
      const deadline = setTimeout(() => {
        log.error({ event: 'shutdown-forced' }, 'shutdown took too long; exiting (unfinished work is redone on the next start)');
        process.exit(0);
      }, SHUTDOWN_GRACE_MS - 1_000);
      deadline.unref();
      await controller.stop(received);
      await controller.done();
      return 0;
    } catch (error) {
      if (error instanceof ConfigError || error instanceof UsageError) throw error;
      log.error({ event: 'controller-failed', error: errorMessage(error) }, 'the controller failed');
      throw error;
    } finally {
      scim?.close();
      if (controller) await controller.stop('exiting');
      await db.close().catch(() => undefined);
    }
  },
};
