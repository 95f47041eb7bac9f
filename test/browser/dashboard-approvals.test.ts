/**
 * The dashboard's held-back objects and approvals in a real browser (Debian's Chromium driven by
 * playwright-core): a tripped gate's banner names the API approval besides --allow-deletes, the
 * connector's page lists exactly what its gate holds back, an operator approves it there, and the job
 * that used the approval shows who, why and what it let through.
 */
import { writeFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEPARTMENT_LIMIT, hrCsv, HR_ROWS, OPERATOR_TOKEN, startWorld, type World } from '../api/api-world.js';
import { chromiumLaunchOptions } from '../services/chromium.js';

describe('dashboard: a pending gate and its approval', () => {
  let w: World;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    w = await startWorld({ store: 'postgres', pgUrl: inject('pgUrl'), maxDeletes: 2 });
    await w.port.cycle('full');
    // Four of six people leave HR at once: HR's import guard holds them back.
    writeFileSync(w.hrFile, hrCsv(HR_ROWS.slice(0, 2)));
    await w.port.cycle('full');
    browser = await chromium.launch(chromiumLaunchOptions(inject('chromiumPath')));
  });

  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  async function open(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${w.base}/`);
    await page.getByLabel('Viewer token').fill(OPERATOR_TOKEN);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    return page;
  }

  it('shows the held-back objects, approves them with an operator token, and the job shows the approval used', async () => {
    const page = await open();
    const banner = page.getByRole('region', { name: 'Safety gates tripped' });
    await banner.waitFor();
    expect(await banner.textContent()).toContain('POST /api/v1/connectors/NAME/approvals');
    expect(await banner.textContent()).toContain('POST /api/v1/connectors/hr/approvals {"allowDeletes": 4');
    expect(await banner.textContent()).toContain('(4 held back: see them and approve)');

    await page.goto(`${w.base}/#/connectors/hr`);
    const held = page.getByRole('region', { name: 'Held back by a safety gate (4)' });
    await held.waitFor();
    const rows = held.getByRole('row');
    expect(await rows.count()).toBe(5);
    expect(await rows.nth(1).textContent()).toMatch(/^import guarddeleteuserE1003E1003/);
    expect(await rows.nth(4).textContent()).toMatch(/^import guarddeleteuserE1006E1006/);
    expect(await held.getByLabel('Deletions and disables to allow').inputValue()).toBe('4');

    await held.getByLabel('Reason').fill('four leavers, confirmed by HR');
    await held.getByRole('button', { name: 'Approve these' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/^Approval #\d+ recorded: the next run whose gate holds these 4 objects back lets them through/);
    await expect.poll(() => page.locator('#approval-pending').textContent()).toContain('by sre');
    expect(await page.locator('#approval-pending').textContent()).toContain('"four leavers, confirmed by HR" — allows 4 of the 4 objects held back then');

    const run = await w.port.cycle('full');
    expect(run.outcome.approvals.map((a) => a.state)).toEqual(['applied']);
    await page.goto(`${w.base}/#/jobs/${run.outcome.cycleId}`);
    const used = page.getByRole('region', { name: 'Approvals used' });
    await used.waitFor();
    expect(await used.textContent()).toContain('four leavers, confirmed by HR');
    expect(await used.textContent()).toContain('applied');
    expect(await used.textContent()).toContain('let through: delete E1003, delete E1004, delete E1005, delete E1006');
    expect(problems).toEqual([]);
  });
});


describe('dashboard: approving changes a Policy limit holds back', () => {
  let w: World;
  let browser: Browser;

  beforeAll(async () => {
    w = await startWorld({ store: 'postgres', pgUrl: inject('pgUrl'), extraYaml: DEPARTMENT_LIMIT });
    await w.port.cycle('full');
    // Three people move to Finance: three accounts would change department, more than the Policy allows.
    writeFileSync(w.hrFile, hrCsv(HR_ROWS.map((r) => (['E1001', 'E1002', 'E1003'].includes(r[0]!) ? [r[0]!, r[1]!, r[2]!, 'Finance', r[4]!] : r))));
    await w.port.cycle('delta');
    browser = await chromium.launch(chromiumLaunchOptions(inject('chromiumPath')));
  });

  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  it('offers a count for the limited changes, sends it as allowLimits, and the next run lets exactly those through', async () => {
    const problems: string[] = [];
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' })).newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${w.base}/`);
    await page.getByLabel('Viewer token').fill(OPERATOR_TOKEN);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.goto(`${w.base}/#/connectors/directory`);
    const held = page.getByRole('region', { name: 'Held back by a safety gate (3)' });
    await held.waitFor();
    expect(await held.getByLabel('Policy-limited changes to allow').inputValue()).toBe('3');
    expect(await held.getByLabel('Deletions and disables to allow').inputValue()).toBe('0');
    expect(await held.getByLabel('Attribute clears to allow').count()).toBe(0);
    expect(await held.textContent()).toContain("the CLI's equivalent is --allow-deletes 0 --allow-limits 3");

    await held.getByLabel('Reason').fill('reorganisation into Finance');
    await held.getByRole('button', { name: 'Approve these' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/^Approval #\d+ recorded: the next run whose gate holds these 3 objects back/);

    const run = await w.port.cycle('delta');
    expect(run.outcome.approvals.map((a) => a.state)).toEqual(['applied']);
    expect(run.outcome.gates).toEqual([]);
    expect(problems).toEqual([]);
  });
});
