/**
 * What the operator API and the dashboard need from the controller, and nothing more. The controller
 * (or a test) implements this; the API never reaches into the controller's internals.
 */
import type { CompiledConfig, ConnectorModel, Problem } from '../../config/model.js';
import type { IdentityConnector, SecretResolver } from '../../connectors/sdk.js';
import type { CycleKind } from '../../engine/context.js';
import type { Logger } from '../../shared/logger.js';
import type { Db } from '../../store/db.js';

export interface ControllerPort {
  /** The store the controller reconciles into (jobs, connector space, mesh, reports). */
  readonly store: Db;
  readonly log: Logger;
  /** Resolves the API tokens' `{{secret:NAME}}` references (envSecretResolver in production). */
  readonly secrets: SecretResolver;
  /** The compiled config of the revision being run (the last valid one); undefined before any. */
  config(): CompiledConfig | undefined;
  /** The revision being run, and the newest one fetched (the same unless the newest is invalid). */
  revisions(): { readonly applied: string | null; readonly attempted: string | null };
  /** The newest revision's validation problems when it is invalid (ConfigInvalid); empty when valid. */
  configProblems(): readonly Problem[];
  /**
   * Runs a cycle of `kind` as soon as the running one (if any) ends. Requests made while one is
   * waiting merge into it (a full request makes it full, one with `retryFailed` makes it send every
   * failed export again). The controller's `requestCycle`.
   */
  requestCycle(kind: CycleKind, reason: string, connectors?: readonly string[] | null, retryFailed?: boolean): void;
  /** Opens a live connector of the running config (for `check()`); the caller closes it. */
  openConnector(model: ConnectorModel): Promise<IdentityConnector>;
  /** The controller's clock (approvals are stamped and expire by it); default Date.now. */
  readonly now?: () => number;
  /** Leader or standby, for the dashboard; a standby's sync requests wait for the leader's next cycle. */
  role(): 'leader' | 'standby';
}
