/**
 * Checks on Connector documents the schema cannot express: settings that contradict each other,
 * plain-text credentials, insecure URLs, cron expressions. The type-specific checks are the type's
 * descriptor's (`checkSpec`); the shared ones are in setting-checks.ts.
 */
import { CronPattern } from 'croner';
import { descriptorOf } from '../connectors/registry.js';
import type { CheckContext } from './check-context.js';
import type { ConnectorDoc } from './documents.js';

export function checkConnector(ctx: CheckContext, doc: ConnectorDoc): void {
  const spec = doc.value.spec;
  if (spec.schedule?.full !== undefined) checkCron(ctx, doc, ['spec', 'schedule', 'full'], spec.schedule.full);
  if (spec.schedule?.manual === true && (spec.schedule.interval !== undefined || spec.schedule.full !== undefined)) {
    ctx.report(doc, ['spec', 'schedule', 'manual'], 'schedule.manual runs the connector only on request: remove schedule.interval and schedule.full, or manual');
  }
  descriptorOf(spec.type).checkSpec?.(ctx, doc, spec);
}

export function checkCron(ctx: CheckContext, doc: Parameters<CheckContext['report']>[0], path: string[], expression: string): void {
  try {
    new CronPattern(expression, 'UTC');
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
    ctx.report(doc, path, `${path.slice(1).join('.')} is not a valid cron expression: ${reason}`);
  }
}
