/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, against the API and
 * page mounted on the controller's HTTP server, with a store filled by real reconcile cycles over CSV
 * connectors. Saves test/artifacts/out/dashboard.png (ignored by Git); `npm run screenshot` copies it to
 * test/artifacts/dashboard.png, the README's image, on purpose only.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { hrCsv, HR_ROWS, OPERATOR_TOKEN, startWorld, VIEWER_TOKEN, type World } from '../api/api-world.js';
import { chromiumLaunchOptions } from '../services/chromium.js';

const ARTIFACTS = resolve(import.meta.dirname, '../artifacts/out');

describe('dashboard', () => {
  let w: World;
  let browser: Browser;
  let context: BrowserContext;
  let lastJobId: number;
  const problems: string[] = [];
  const foreign: string[] = [];

  beforeAll(async () => {
    w = await startWorld({ store: 'postgres', pgUrl: inject('pgUrl') });
    await w.port.cycle('full');
    await w.port.cycle('delta', ['hr'], 'schedule'); // hr's own timetable (a scoped run)
    // A day's work: Grace moves to Research, Frances joins, someone edits the directory by hand.
    const rows = HR_ROWS.map((r) => (r[0] === 'E1002' ? ['E1002', 'Grace', 'Hopper', 'Research', 'Rear Admiral'] : r));
    writeFileSync(w.hrFile, hrCsv([...rows, ['E1007', 'Frances', 'Allen', 'Engineering', 'Fellow']]));
    writeFileSync(w.accountsFile, readFileSync(w.accountsFile, 'utf8').replace('Principal Engineer', 'Intern'));
    const queued = await fetch(`${w.base}/api/v1/sync`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_TOKEN}` }, body: '{"mode":"delta"}' });
    lastJobId = ((await queued.json()) as { jobId: number }).jobId;
    await w.port.runRequested();
    browser = await chromium.launch(chromiumLaunchOptions(inject('chromiumPath')));
  });

  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  async function open(): Promise<Page> {
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(w.base) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(`${w.base}/`);
    return page;
  }

  async function signIn(page: Page, token = VIEWER_TOKEN): Promise<void> {
    await page.getByLabel('Viewer token').fill(token);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
  }

  afterEach(async () => {
    await context?.close();
    expect(problems.splice(0), 'console errors, page errors').toEqual([]);
    expect(foreign.splice(0), 'requests to other origins (no CDN)').toEqual([]);
  });

  it('asks for a viewer token, refuses a wrong one, then shows connectors and the latest job', async () => {
    const page = await open();
    await expect.poll(() => page.getByRole('heading', { name: 'Identity Mesh dashboard' }).isVisible()).toBe(true);
    await signIn(page, 'not-the-token');
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('refused');
    problems.splice(0); // the refused request shows as a 401 in the console

    await signIn(page);
    const connectors = page.getByRole('region', { name: 'Connectors' });
    await connectors.getByRole('link', { name: 'directory' }).waitFor();
    for (const name of ['hr', 'badges', 'directory']) expect(await connectors.getByRole('link', { name, exact: true }).isVisible()).toBe(true);
    expect(await connectors.getByText('Healthy').count()).toBe(3);
    // Healthy since the first run (lastTransitionTime), and a Sync now per connector.
    expect(await connectors.getByText(/^ since /).count()).toBe(3);
    for (const name of ['hr', 'badges', 'directory']) expect(await connectors.getByRole('button', { name: `Sync now: ${name}` }).isEnabled()).toBe(true);
    expect(await connectors.getByRole('row', { name: /^hr / }).textContent()).toContain(`user: ${HR_ROWS.length + 1}`);

    const jobs = page.getByRole('region', { name: 'Latest jobs' });
    const latest = jobs.getByRole('row').nth(1);
    expect(await latest.getByRole('link').textContent()).toBe(String(lastJobId));
    expect(await latest.textContent()).toContain('succeeded');
    expect(await latest.textContent()).toContain('API (sre)');
    expect(await latest.getByRole('cell').nth(2).textContent()).toBe('all'); // the scope: the whole mesh
    const scoped = jobs.getByRole('row').nth(2);
    expect(await scoped.getByRole('cell').nth(2).textContent()).toBe('hr');
    expect(await scoped.getByRole('cell').nth(3).textContent()).toBe('schedule');
    // Export retries in the job totals: failed exports sent again, and those given up after exportRetry.maxAttempts.
    const headers = await jobs.getByRole('columnheader').allTextContents();
    expect(headers.slice(headers.indexOf('Deleted'), headers.indexOf('Deleted') + 3)).toEqual(['Deleted', 'Retried', 'Given up']);

    const conflicts = page.getByRole('region', { name: /Open conflicts \(\d+\)/ });
    expect(await conflicts.textContent()).toContain('displayName');
    // By join key as the CLI names it (issue 18: not a mesh UUID, not "person/person/…"), linked to its explanation.
    const conflict = conflicts.getByRole('link', { name: 'person/E1001', exact: true });
    expect(await conflict.getAttribute('href')).toBe('#/objects/person/E1001');
    expect(await page.getByRole('region', { name: /Drift \(\d+\)/ }).textContent()).toContain('Intern');
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length)).toBe(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('shows ConfigInvalid on its next refresh, and keeps the token for the tab', async () => {
    const page = await open();
    await signIn(page);
    await page.getByRole('region', { name: 'Connectors' }).waitFor();
    expect(await page.locator('#config-invalid').count()).toBe(0);

    w.port.attempted = 'c0ffee'.repeat(6) + 'c0ff';
    w.port.problems = [
      { file: 'connectors.yaml', line: 7, column: 9, message: 'spec.objectTypes.user.externalIdColumn is required' },
      { file: 'mesh.yaml', line: 3, column: 1, message: 'unknown key "objectTypez" (did you mean "objectTypes"?)' },
    ];
    try {
      // The page refreshes itself every 10 s.
      const banner = page.locator('#config-invalid');
      await banner.waitFor({ timeout: 15_000 });
      const text = (await banner.textContent()) ?? '';
      expect(text).toContain('ConfigInvalid: revision c0ffeec0ffee was not applied');
      expect(text).toContain('connectors.yaml:7:9: spec.objectTypes.user.externalIdColumn is required');
      expect(text).toContain('Still running the last good revision');

      // A reload keeps the token (sessionStorage): straight to the dashboard, banner included.
      await page.reload();
      await page.locator('#config-invalid').waitFor();
      expect(await page.getByLabel('Viewer token').isVisible()).toBe(false);
    } finally {
      w.port.problems = [];
      w.port.attempted = w.port.applied;
    }
  });

  it('links to job and connector details, and explains an object from the search', async () => {
    const page = await open();
    await signIn(page);
    await page.getByRole('region', { name: 'Latest jobs' }).getByRole('link', { name: String(lastJobId), exact: true }).click();
    const title = page.getByRole('heading', { level: 1, name: `Job ${lastJobId}` });
    await title.waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { tagName: string } } }).document.activeElement.tagName)).toBe('H1');
    const counts = page.getByRole('region', { name: 'Counts per connector' });
    // imported 1 (the hand edit), created 1 (Frances), updated 2 (Grace's department, the edit undone)
    expect(await counts.getByRole('row', { name: /^directory / }).textContent()).toMatch(/^directory1120/);

    await page.getByRole('link', { name: 'Back to the overview' }).click();
    await page.getByRole('region', { name: 'Connectors' }).getByRole('link', { name: 'hr', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Connector hr' }).waitFor();
    const types = page.getByRole('region', { name: 'Object types' });
    expect(await types.textContent()).toContain(String(HR_ROWS.length + 1));
    expect(await page.getByRole('region', { name: 'Summary' }).textContent()).toContain('hr-to-person');

    await page.getByLabel('Explain object').selectOption('person');
    await page.getByRole('searchbox').fill('E1001');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('heading', { level: 1, name: 'person/E1001' }).waitFor();
    const attributes = page.getByRole('region', { name: 'Attributes' });
    const title1001 = await attributes.getByRole('row', { name: /^title / }).textContent();
    expect(title1001).toContain('Principal Engineer');
    expect(title1001).toContain('hr/E1001 via hr-to-person (confidence 80)');
    expect(title1001).toContain('Principal Engineer from badges/B-1 via badges-to-person (confidence 60)');
    // The object's history: the title's value with its source and run, and the export that wrote it.
    const valueHistory = page.getByRole('region', { name: 'History' });
    const titleChange = await valueHistory.getByRole('row', { name: /title Principal Engineer/ }).first().textContent();
    expect(titleChange).toContain('hr/E1001 via hr-to-person (confidence 80)');
    expect(titleChange).toMatch(/#\d+$/);
    const created = await page.getByRole('region', { name: 'Exports' }).getByRole('row', { name: /create/ }).first().textContent();
    // A create wrote the values its run made current (the value history above).
    expect(created).toMatch(/the mesh values of run #\d+/);
    expect(created).toContain('ok');

    await page.getByRole('searchbox').fill('E9999');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    expect(await page.locator('#view').textContent()).toContain('E9999');
    problems.splice(0); // the 404 shows in the console
  });

  it("syncs one connector now with an operator token, shows its job's scope, trigger and counts per object type; a viewer token is told it cannot", async () => {
    const page = await open();
    await signIn(page);
    await page.getByRole('button', { name: 'Sync now: badges' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toContain('Sync now needs an operator token');
    problems.splice(0); // the 403 shows in the console

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, OPERATOR_TOKEN);
    await page.getByRole('button', { name: 'Sync now: hr' }).click();
    const heading = page.getByRole('heading', { level: 1, name: /^Job \d+$/ });
    await heading.waitFor();
    const summary = page.getByRole('region', { name: 'Summary' });
    expect(await summary.textContent()).toContain('queued');
    expect(await summary.textContent()).toContain('Scopehr');
    expect(await summary.textContent()).toContain('TriggerAPI (sre)');

    writeFileSync(w.hrFile, hrCsv([...HR_ROWS, ['E1007', 'Frances', 'Allen', 'Engineering', 'Fellow'], ['E1008', 'Mary', 'Jackson', 'Research', 'Engineer']]));
    await w.port.runRequested();
    await page.reload();
    await heading.waitFor();
    expect(await page.getByRole('region', { name: 'Summary' }).textContent()).toContain('succeeded');
    const byType = page.getByRole('region', { name: 'Counts per object type' });
    const account = byType.getByRole('row', { name: /^account / });
    expect(await account.getByRole('cell').nth(0).textContent()).toBe('1'); // created: Mary
    expect(await account.getByRole('cell').nth(5).textContent()).toBe('0'); // failed

    // The connector's page lists the jobs that covered it, this one on top.
    const id = ((await heading.textContent()) ?? '').replace('Job ', '');
    await page.goto(`${w.base}/#/connectors/hr`);
    const jobsOfHr = page.getByRole('region', { name: 'Jobs' });
    await jobsOfHr.waitFor();
    expect(await jobsOfHr.getByRole('row').nth(1).getByRole('link').textContent()).toBe(id);
  });
});
