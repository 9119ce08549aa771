// The privacy center's requests and choices end to end, with and without
// JavaScript: an objection and its undoing change the next analytics
// query; a copy asked for on the page, prepared by staff with the CLI,
// downloads as one zip whose files match the manifest; a correction is
// carried out with the customer's values; an erasure asked for on the
// deletion page is completed by staff and the customer is told by mail;
// allowing a sharing purpose against Global Privacy Control asks first.
//
// Each project signs in as different customers of the demo's CRM file, so
// the two runs do not see each other's changes.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { test, expect } = require('@playwright/test');
const { signIn, mailbox, accessible, screenshots } = require('./support');

const SITE = process.env.CANDOR_E2E_DIR;

/** `candor ARGS…` in the installation, as staff at a shell. */
function candor(...args) {
  return execFileSync(process.env.CANDOR_BIN, args, { cwd: SITE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The e-mail address of this project's `n`-th customer of the CRM file that candor stores. */
function customer(info, n) {
  const rows = fs.readFileSync(path.join(SITE, 'data', 'contacts.csv'), 'latin1').split('\n').slice(1);
  const stored = rows
    .slice(info.project.name === 'javascript' ? 0 : 20, info.project.name === 'javascript' ? 10 : 30)
    .map((row) => (row.split(',').find((v) => v.includes('@')) || '').trim())
    .filter((email) => {
      try {
        candor('subject', 'find', '--email', email);
        return true;
      } catch {
        return false; // quarantined at import, or not an address
      }
    });
  return stored[n];
}

/** How many customers the next analytics query leaves out for their choices. */
function excluded() {
  return JSON.parse(candor('analytics', '--as', 'ana', '--json', 'sentiment')).subjects_excluded;
}

/** The id of the newest request listed on the requests page. */
async function newestRequest(page) {
  const id = await page.locator('tr[id^="request-"]').first().getAttribute('id');
  return id.replace(/^request-/, '');
}

/** Wait for a mail to `email` whose subject matches `re`, after the first `seen`. */
async function mailTo(email, seen, re) {
  for (let i = 0; i < 100; i++) {
    const m = mailbox().slice(seen).find((x) => x.rcpt_tos.includes(email) && re.test(x.subject));
    if (m) return m;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${email} matching ${re}`);
}

test('objecting changes the next analytics query, and allowing again changes it back', async ({ page }, info) => {
  await signIn(page, customer(info, 0));
  const analytics = page.locator('#purpose-analytics');
  await expect(analytics.locator('.status')).toHaveText(/^On/);
  const before = excluded();
  await analytics.getByRole('button', { name: 'Object' }).click();
  await expect(page.locator('.notice')).toBeVisible();
  expect(excluded()).toBe(before + 1);
  await page.locator('#purpose-analytics').getByRole('button', { name: 'Allow again' }).click();
  await expect(page.locator('#purpose-analytics .status')).toHaveText(/On/);
  expect(excluded()).toBe(before);
});

test('a copy asked for on the page downloads as one zip whose files match the manifest', async ({ page }, info) => {
  const project = info.project.name;
  await signIn(page, customer(info, 1));
  await page.getByRole('link', { name: 'Download, correct or delete your data' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Download, correct or delete your data' })).toBeVisible();
  await page.getByRole('button', { name: 'Ask for a copy to read' }).click();
  await expect(page.locator('.notice')).toContainText('We received your request for a copy');
  const id = await newestRequest(page);
  await expect(page.locator(`#request-${id}`)).toContainText('Received; we are working on it');
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'requests', project);

  // Staff carry it out at the shell; the customer then finds it on the page.
  candor('rights', 'execute', id);
  await page.reload();
  await expect(page.locator(`#request-${id}`)).toContainText('Done');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`#request-${id}`).getByRole('link', { name: 'Download (zip)' }).click()]);
  expect(download.suggestedFilename()).toBe(`candor-export-${id}.zip`);
  const zip = path.join(__dirname, 'artifacts', `${project}-export.zip`);
  await download.saveAs(zip);
  // An outside implementation reads the zip and checks every file against the manifest.
  const checked = execFileSync('python3', ['-c', `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); root = sys.argv[2]
manifest = json.loads(z.read(root + '/manifest.json'))
for f in manifest['files']:
    assert hashlib.sha256(z.read(root + '/' + f['path'])).hexdigest() == f['sha256'], f['path']
print(len(manifest['files']))
`, zip, `candor-export-${id}`], { encoding: 'utf8' });
  expect(Number(checked.trim())).toBeGreaterThanOrEqual(8);
});

test('a correction is carried out with the values the customer gave', async ({ page }, info) => {
  const project = info.project.name;
  await signIn(page, customer(info, 2));
  await page.goto('/privacy/requests');
  const name = `Corrected Name ${project}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Ask for this correction' }).click();
  await expect(page.locator('.notice')).toContainText('We received your correction');
  const id = await newestRequest(page);
  candor('rights', 'execute', id);
  await page.goto('/privacy');
  await expect(page.getByRole('cell', { name })).toBeVisible();
});

test('an erasure asked for on the deletion page is completed by staff and told by mail', async ({ page }, info) => {
  const project = info.project.name;
  const email = customer(info, 3);
  await signIn(page, email);
  await page.goto('/privacy/requests');
  await page.getByRole('link', { name: 'See what would be deleted, and what we must keep' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'What we delete' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'What we must keep, and why' })).toBeVisible();
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'delete', project);
  await page.getByRole('button', { name: 'Delete my data' }).click();
  await expect(page.locator('.notice')).toContainText('We received your request to delete your data');
  const id = await newestRequest(page);
  await page.goto('/privacy/delete');
  await expect(page.locator('.notice')).toContainText('We must answer by');

  const seen = mailbox().length;
  candor('rights', 'execute', id);
  const told = await mailTo(email, seen, /erasure request is complete/);
  expect(told.text).toContain(id);
  await page.goto('/privacy');
  await expect(page.getByText('We deleted your data as you asked')).toBeVisible();
});

test.describe('with Global Privacy Control on', () => {
  test.use({ extraHTTPHeaders: { 'Sec-GPC': '1' } });

  test('allowing a sharing purpose asks to confirm, and the page says the choice applies', async ({ page }, info) => {
    const project = info.project.name;
    await signIn(page, customer(info, 4));
    await expect(page.getByText('You opted out of the selling and sharing of your data')).toBeVisible();
    await page.locator('#purpose-marketing\\.advertising').getByRole('button', { name: 'Agree' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Allow the selling or sharing of your data?' })).toBeVisible();
    if (project === 'javascript') await accessible(page);
    await screenshots(page, 'confirm-sale', project);
    await page.getByRole('button', { name: 'Yes, allow it' }).click();
    await expect(page.getByText('you chose to allow it anyway')).toBeVisible();
    await expect(page.locator('#purpose-marketing\\.advertising .status')).toHaveText(/^On/);
  });
});
