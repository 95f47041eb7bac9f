/**
 * The API and dashboard on a live controller (`imesh run --config DIR` in-process): the real cycle loop
 * runs a job asked for over the API under the id the API returned, and an invalid edit of the config
 * shows as ConfigInvalid on the page while the last good revision keeps running.
 */
import { appendFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectorOpener } from '../../src/cli/runtime.js';
import { compileFromFiles, loadConfig } from '../../src/config/index.js';
import { mountOperatorRoutes } from '../../src/controller/api/operator-routes.js';
import { directorySource } from '../../src/controller/config-sources.js';
import { Controller } from '../../src/controller/controller.js';
import { singleProcessLeader } from '../../src/controller/leader-election.js';
import { ControllerMetrics } from '../../src/controller/metrics.js';
import { localPublisher } from '../../src/controller/report-publisher.js';
import type { Db } from '../../src/store/db.js';
import { openStore } from '../../src/store/open-store.js';
import { dropSchema, HR_ROWS, makeWorldFiles, OPERATOR_TOKEN, schemaUrl, VIEWER_TOKEN, type WorldFiles } from '../api/api-world.js';
import { call } from '../api/openapi-check.js';
import { quietLogger } from '../controller/quiet-logger.js';
import { waitFor } from '../controller/process-harness.js';
import { chromiumLaunchOptions } from '../services/chromium.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('operator API and dashboard on a live controller', () => {
  let files: WorldFiles;
  let schema: string;
  let db: Db;
  let controller: Controller;
  let base: string;
  let browser: Browser;
  const saved = { viewer: process.env.IMESH_SECRET_API_HELPDESK, operator: process.env.IMESH_SECRET_API_SRE };

  const api = (method: string, path: string, token = VIEWER_TOKEN, body?: string) => call(base, method, `/api/v1${path}`, { token, ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    // `imesh run` resolves the API tokens' secrets from the environment.
    process.env.IMESH_SECRET_API_HELPDESK = VIEWER_TOKEN;
    process.env.IMESH_SECRET_API_SRE = OPERATOR_TOKEN;
    files = makeWorldFiles();
    const store = schemaUrl(inject('pgUrl'));
    schema = store.schema;
    db = await openStore({ url: store.url, workDir: files.dir });
    const log = quietLogger();
    controller = new Controller({
      source: directorySource(files.configDir),
      publisher: localPublisher(async () => 'not published (test)'),
      db,
      elector: singleProcessLeader(),
      metrics: new ControllerMetrics(),
      log,
      openConnector: (config) => connectorOpener(config, log, undefined, [dirname(files.hrFile), dirname(files.accountsFile)]),
      loadConfig,
      compileFromFiles,
      pollIntervalMs: 200,
      port: 0,
      host: '127.0.0.1',
    });
    mountOperatorRoutes(controller.http, controller.operatorPort());
    await controller.start();
    base = `http://127.0.0.1:${controller.http.port()}`;
    browser = await chromium.launch(chromiumLaunchOptions(inject('chromiumPath')));
  });

  afterAll(async () => {
    await browser?.close();
    await controller?.stop();
    await controller?.done();
    await db?.close();
    if (schema) await dropSchema(inject('pgUrl'), schema);
    if (files) rmSync(files.dir, { recursive: true, force: true });
    process.env.IMESH_SECRET_API_HELPDESK = saved.viewer;
    process.env.IMESH_SECRET_API_SRE = saved.operator;
    if (saved.viewer === undefined) delete process.env.IMESH_SECRET_API_HELPDESK;
    if (saved.operator === undefined) delete process.env.IMESH_SECRET_API_SRE;
  });

  it('runs a sync asked for over the API as the job it returned', async () => {
    await waitFor('the first cycle', async () => ((await api('GET', '/jobs')).body as Json).items[0]?.status === 'succeeded');
    const queued = await api('POST', '/sync', OPERATOR_TOKEN, '{"mode":"full"}');
    expect(queued.status).toBe(202);
    const id = (queued.body as Json).jobId as number;
    const job = await waitFor('the requested job to finish', async () => {
      const body = (await api('GET', `/jobs/${id}`)).body as Json;
      return body.finishedAt ? body : undefined;
    });
    expect(job).toMatchObject({ id, status: 'succeeded', kind: 'full', trigger: 'api', requestedBy: ['sre'] });
    const connectors = ((await api('GET', '/connectors')).body as Json).items as Json[];
    expect(connectors.find((c) => c.name === 'directory')).toMatchObject({ health: 'Healthy', objectTypes: { account: { count: HR_ROWS.length } } });
    expect((await api('GET', '/status')).body).toMatchObject({ role: 'leader', configInvalid: false, lastJob: { id } });
  });

  it('shows ConfigInvalid after an invalid edit, while the last good revision keeps running', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.getByLabel('Viewer token').fill(VIEWER_TOKEN);
      await page.getByRole('button', { name: 'Open dashboard' }).click();
      await page.getByRole('region', { name: 'Connectors' }).getByRole('link', { name: 'directory' }).waitFor();
      const applied = ((await api('GET', '/status')).body as Json).lastAppliedRevision as string;

      // The last document in mesh.yaml is the projection: a key it does not have.
      appendFileSync(join(files.configDir, 'mesh.yaml'), '  colour: blue\n');
      await waitFor('ConfigInvalid from the controller', async () => ((await api('GET', '/status')).body as Json).configInvalid === true);
      await page.reload();
      const banner = page.locator('#config-invalid');
      await banner.waitFor();
      const text = (await banner.textContent()) ?? '';
      expect(text).toMatch(/mesh\.yaml:\d+:\d+: .*colour/);
      expect(text).toContain(`Still running the last good revision ${applied.slice(0, 20)}`);
      expect(await page.getByRole('region', { name: 'Connectors' }).getByText('Healthy').count()).toBe(3);
      const status = (await api('GET', '/status')).body as Json;
      expect(status.lastAppliedRevision).toBe(applied);
      expect(status.lastAttemptedRevision).not.toBe(applied);
    } finally {
      await context.close();
    }
  });
});
