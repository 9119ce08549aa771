// The staff console in a real browser, with and without JavaScript:
// sign-in by a mailed code and by a pasted token, the dashboard's charts
// against the API's numbers for the same query, revealing an original
// message with a reason (audited), executing a rights request, answering
// a concern (mailed to the customer), publishing a material policy change
// after its stale-consent count, failing then passing the quiz, and the
// audit log's verify button after a tampered row.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { test, expect } = require('@playwright/test');
const { signIn, signInCode, mailbox, accessible, screenshots } = require('./support');

/** `candor ARGS…` in the served installation, as the operator runs it. */
function candor(...args) {
  return execFileSync(process.env.CANDOR_BIN, args, { cwd: process.env.CANDOR_E2E_DIR, encoding: 'utf8' });
}

/** A fresh API token for `actor`. */
function token(actor) {
  return candor('actor', 'token', actor).trim();
}

/** A staff member of `role`, trained unless `untrained`, named for this run. */
function staff(name, role, untrained) {
  candor('actor', 'add', name, '--role', role);
  if (!untrained) candor('actor', 'attest', name);
  return name;
}

async function signInWithToken(page, actor) {
  await page.goto('/console');
  await expect(page).toHaveURL(/\/console\/sign-in$/);
  await page.getByLabel('API token', { exact: true }).fill(token(actor));
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('sign in by a mailed code; the dashboard charts show what the API gives', async ({ page, request }, info) => {
  const project = info.project.name;
  const me = staff(`carla-${project}@northwind.example`, 'compliance');
  await page.goto('/console/sign-in');
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'console-sign-in', project);
  await page.getByLabel('Your staff id').fill(me);
  const seen = mailbox().length;
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.getByLabel('Your code').fill(await signInCode(me, seen));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/console\/dashboard$/);
  await expect(page.getByText(`Signed in as ${me}`)).toBeVisible();

  // Charts with axes, labels and a legend, drawn on the server.
  const chart = page.locator('#sentiment-time svg');
  await expect(chart).toBeVisible();
  await expect(page.locator('#sentiment-theme svg')).toBeVisible();
  await expect(page.locator('#themes svg')).toBeVisible();
  await expect(page.locator('#volume svg')).toBeVisible();
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'console-dashboard', project);

  // The figures under the chart are the API's for the same query.
  const api = await request.get('/api/v1/analytics/sentiment?by=week,platform', {
    headers: { authorization: `Bearer ${token(me)}` },
  });
  expect(api.status(), await api.text()).toBe(200);
  const report = await api.json();
  const shown = report.cells.filter((c) => !c.suppressed);
  expect(shown.length).toBeGreaterThan(0);
  const rows = page.locator('#sentiment-time tbody tr');
  await expect(rows).toHaveCount(report.cells.length);
  for (const cell of shown) {
    const row = rows.filter({ hasText: cell.key[0] }).filter({ hasText: cell.key[1] });
    await expect(row.locator('td').nth(2)).toHaveText(String(Math.round(cell.interactions)), { useInnerText: false });
    const mean = (cell.mean_sentiment >= 0 ? '+' : '') + cell.mean_sentiment.toFixed(2);
    await expect(row.locator('td').nth(3)).toHaveText(mean, { useInnerText: false });
  }

  await page.getByRole('link', { name: 'Español' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Panel' })).toBeVisible();
  if (project === 'javascript') await accessible(page);
  await page.getByRole('link', { name: 'English' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/console\/sign-in$/);
});

test('an agent shows an original with a reason and the customer sees it was read', async ({ page }, info) => {
  const project = info.project.name;
  const agent = staff(`agent-${project}`, 'agent');
  // A customer with one message of their own, imported as an export is.
  const author = project === 'javascript' ? '990001' : '990002';
  const file = path.join(os.tmpdir(), `console-${project}.csv`);
  fs.writeFileSync(file, 'tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n'
    + `${author}1,${author},True,Mon Oct 30 10:00:00 +0000 2017,@northwind my parcel never came; call me on +44 7700 900${author.slice(-3)},,\n`);
  candor('import', file, '--brand', 'northwind');

  await signInWithToken(page, agent);
  await expect(page).toHaveURL(/\/console\/conversations$/);
  await page.getByLabel('E-mail, handle (x:@name) or customer id').fill(`x:@${author}`);
  await page.getByRole('button', { name: 'Show messages' }).click();
  const item = page.locator('li.item').first();
  await expect(item).toContainText('my parcel never came');
  await expect(item).not.toContainText('7700');
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'console-conversations', project);

  await item.getByText('Show the original text…').click();
  await item.getByLabel('Why you need the original').fill('customer asks where the parcel is');
  await item.getByRole('button', { name: 'Show the original' }).click();
  await expect(page.getByRole('region', { name: /Original text/ })).toContainText('+44 7700 900');
  // The audit log holds the showing, with the reason.
  const log = JSON.parse(candor('--json', 'audit', 'log', '--action', 'interaction.reveal'));
  const entries = Array.isArray(log) ? log : log.entries;
  expect(entries.some((e) => e.actor === agent && JSON.stringify(e).includes('customer asks where the parcel is'))).toBeTruthy();
});

test('compliance executes a request and answers a concern, which the customer receives', async ({ page }, info) => {
  const project = info.project.name;
  const email = `console-customer-${project}@example.com`;
  const subject = candor('subject', 'add', '--email', email, '--name', 'Robin Request').trim();
  candor('rights', 'open', 'restriction', subject);
  const officer = staff(`officer-${project}`, 'compliance');

  // The customer asks a question in the privacy center.
  await signIn(page, email);
  await page.goto('/privacy/concerns');
  const question = `Who reads my messages? (${project})`;
  await page.getByLabel('What would you like to ask or tell us?').fill(question);
  await page.getByRole('button', { name: 'Send to the privacy team' }).click();
  await page.context().clearCookies();

  await signInWithToken(page, officer);
  await page.goto('/console/requests');
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'console-requests', project);
  await page.getByRole('row').filter({ hasText: 'Limit how we use your data' }).first().getByRole('link').click();
  await page.getByLabel("How you verified the customer's identity").fill('ID checked on a video call');
  await page.getByRole('button', { name: 'Mark verified' }).click();
  await expect(page.getByRole('status')).toHaveText('Marked verified.');
  await page.getByLabel(/I have checked this request/).check();
  await page.getByRole('button', { name: 'Carry it out' }).click();
  await expect(page.getByRole('status')).toHaveText(/Carried out/);
  await expect(page.locator('#report')).toBeVisible();
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'console-request-done', project);

  await page.goto('/console/concerns');
  await page.getByRole('link', { name: 'Read and answer' }).first().click();
  // The queue is oldest due first: open the one this run raised.
  const ids = await page.locator('a', { hasText: 'Read and answer' }).evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const href of ids) {
    await page.goto(href);
    if (await page.getByText(question).count()) break;
  }
  await expect(page.getByText(question)).toBeVisible();
  const answer = `Only our care team, for your requests. (${project})`;
  await page.getByLabel('Your answer (mailed to the customer)').fill(answer);
  await page.getByRole('button', { name: 'Send the answer' }).click();
  await expect(page.getByRole('status')).toHaveText('Answer sent to the customer.');
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'console-concerns', project);
  for (let i = 0; i < 150; i++) {
    if (mailbox().some((m) => m.rcpt_tos.includes(email) && (m.text || '').includes(answer))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the answer was not mailed to ${email}`);
});

test('a material policy change shows its stale-consent count, then is published', async ({ page }, info) => {
  const project = info.project.name;
  const admin = staff(`admin-${project}`, 'admin');
  await signInWithToken(page, admin);
  await page.goto('/console/policy');
  if (project === 'javascript') await accessible(page);
  // Keep advertising data longer: material, asks for fresh consent.
  const current = fs.readFileSync(path.join(process.env.CANDOR_E2E_DIR, 'policy.toml'), 'utf8');
  const days = project === 'javascript' ? 400 : 500;
  const changed = current.replace(/(id = "marketing\.advertising"[\s\S]*?retention_days = )\d+/, `$1${days}`);
  expect(changed).not.toEqual(current);
  const file = path.join(os.tmpdir(), `policy-${project}.toml`);
  fs.writeFileSync(file, changed);
  await page.getByLabel('Policy file').setInputFiles(file);
  await page.getByRole('button', { name: 'Check' }).click();
  await expect(page.locator('#stale-count')).toContainText(/\d+ customers/);
  await expect(page.locator('.tag.material').first()).toBeVisible();
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'console-policy-check', project);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByRole('status')).toContainText(/Published version \d+/);
  fs.writeFileSync(path.join(process.env.CANDOR_E2E_DIR, 'policy.toml'), changed);
});

test('an untrained member sees the course first, fails the quiz, then passes it', async ({ page }, info) => {
  const project = info.project.name;
  const newcomer = staff(`newcomer-${project}`, 'agent', true);
  await signInWithToken(page, newcomer);
  await expect(page).toHaveURL(/\/console\/training$/);
  await page.goto('/console/conversations');
  await expect(page).toHaveURL(/\/console\/training\?lapsed=1$/);
  await expect(page.getByRole('heading', { level: 2, name: 'Quiz' })).toBeVisible();
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'console-training', project);
  const questions = page.locator('.quiz fieldset');
  const n = await questions.count();
  expect(n).toBe(10);
  for (let i = 0; i < n; i++) await questions.nth(i).getByRole('radio').first().check();
  await page.getByRole('button', { name: 'Hand in' }).click();
  await expect(page.locator('#outcome')).toContainText('Not passed');
  const right = [2, 1, 2, 2, 3, 2, 2, 1, 2, 2];
  for (let i = 0; i < n; i++) await page.locator('.quiz fieldset').nth(i).getByRole('radio').nth(right[i] - 1).check();
  await page.getByRole('button', { name: 'Hand in' }).click();
  await expect(page.locator('#outcome')).toContainText('Passed: 10 of 10');
  await page.goto('/console/conversations');
  await expect(page).toHaveURL(/\/console\/conversations$/);
});

test('the audit page verifies the chain and names the first bad entry after tampering', async ({ page }, info) => {
  const project = info.project.name;
  const auditor = staff(`auditor-${project}`, 'compliance');
  await signInWithToken(page, auditor);
  await page.goto('/console/audit');
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await expect(page.locator('#verdict')).toContainText('The chain is intact');
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'console-audit', project);
  // An outsider with the database file edits one old entry.
  const db = path.join(process.env.CANDOR_E2E_DIR, 'candor.db');
  const sql = (q) => execFileSync('python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print(r[0][0] if r else '')`, db, q], { encoding: 'utf8' }).trim();
  const body = sql('select body from audit_log where seq = 5');
  sql("update audit_log set body = body || ' ' where seq = 5 returning seq");
  try {
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await expect(page.locator('#verdict')).toContainText('The chain is broken');
    await expect(page.locator('#verdict')).toContainText('entry 5');
    await screenshots(page, 'console-audit-tampered', project);
  } finally {
    fs.writeFileSync(path.join(os.tmpdir(), 'audit-5.txt'), body);
    execFileSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update audit_log set body = ? where seq = 5", (open(sys.argv[2]).read(),)); c.commit()', db, path.join(os.tmpdir(), 'audit-5.txt')]);
  }
  await page.getByRole('button', { name: 'Verify the chain' }).click();
  await expect(page.locator('#verdict')).toContainText('The chain is intact');
});

test('the remaining pages and a refusal read well and pass axe-core, in both languages', async ({ page }, info) => {
  const project = info.project.name;
  const officer = staff(`reader-${project}`, 'compliance');
  await signInWithToken(page, officer);
  for (const [path, heading, spanish] of [
    ['/console/recipients', 'Recipients', 'Destinatarios'],
    ['/console/staff', 'Staff', 'Personal'],
    ['/console/policy', 'Policy', 'Política'],
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    if (project === 'javascript') await accessible(page);
    await screenshots(page, `console${path.replace('/console', '').replace('/', '-')}`, project);
    await page.getByRole('link', { name: 'Español' }).click();
    await expect(page.getByRole('heading', { level: 1, name: spanish })).toBeVisible();
    if (project === 'javascript') await accessible(page);
    await page.getByRole('link', { name: 'English' }).click();
  }
  // A marketer asking for a page of another role is refused in words,
  // and the page is not offered to them.
  await page.getByRole('button', { name: 'Sign out' }).click();
  const marketer = staff(`marketer-${project}`, 'marketer');
  await signInWithToken(page, marketer);
  await expect(page.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  const refused = await page.goto('/console/audit');
  expect(refused.status()).toBe(403);
  await expect(page.getByRole('alert')).toHaveText('Your role may not use this page or action.');
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'console-forbidden', project);
});
