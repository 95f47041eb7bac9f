/**
 * The controller's fixed names: HTTP port and paths, environment variables, and time limits. The
 * Dockerfile and deploy/kubernetes/ manifests are checked against these by test/deploy/.
 */

/** `--port` default; `IMESH_PORT` overrides it. */
export const DEFAULT_PORT = 8080;
export const PORT_ENV = 'IMESH_PORT';

/** Liveness: the process is up and its event loop answers. Always open. */
export const HEALTH_PATH = '/healthz';
/** Readiness: the leader, once a cycle succeeded (or while its first cycle runs). Always open. */
export const READY_PATH = '/readyz';
/** Prometheus metrics. Always open. */
export const METRICS_PATH = '/metrics';
/** Git webhook (GitHub / GitLab): triggers a fetch. 404 unless IMESH_WEBHOOK_SECRET is set. */
export const WEBHOOK_PATH = '/hooks/git';
/** The prefixes of the router's surfaces other than the root (see http-router.ts). */
export const API_PREFIX = '/api/v1';
export const SCIM_PREFIX = '/scim/';

export const WEBHOOK_SECRET_ENV = 'IMESH_WEBHOOK_SECRET';
export const SECRETS_DIR_ENV = 'IMESH_SECRETS_DIR';
export const STORE_URL_ENV = 'IMESH_STORE_URL';

/** `--poll-interval` default: how often Git is fetched (with jitter) when no webhook arrives. */
export const DEFAULT_POLL_INTERVAL = '1m';
/** Poll intervals vary by up to ±this fraction, so replicas and restarts do not fetch in lockstep. */
export const POLL_JITTER = 0.1;

/** SIGTERM to exit: the current batch finishes, the lock is released, the store closed. */
export const SHUTDOWN_GRACE_MS = 30_000;
/** How often a standby tries to take the leader lock (takeover well within 30 s). */
export const DEFAULT_LEADER_RETRY = '5s';

/** The verb the container image runs (Dockerfile CMD/ENTRYPOINT). */
export const RUN_VERB = 'run';
/** Secret names for Git credentials (files under IMESH_SECRETS_DIR, or IMESH_SECRET_<NAME>). */
export const GIT_TOKEN_SECRET = 'git-token';
export const GIT_SSH_KEY_SECRET = 'git-ssh-key';
export const GIT_KNOWN_HOSTS_SECRET = 'git-known-hosts';
/** Where `--repo` checkouts live, below the working directory, unless --checkout-dir says otherwise. */
export const DEFAULT_CHECKOUT_DIR = '.imesh/checkout';
