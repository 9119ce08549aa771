// Asking the privacy team a question, with and without JavaScript: the
// customer raises a concern on /privacy/concerns, staff answer it with
// `candor concerns answer`, the customer reloads and reads the answer, and
// the answer arrives by mail.
const { execFileSync } = require('node:child_process');
const { test, expect } = require('@playwright/test');
const { signIn, mailbox, accessible, screenshots } = require('./support');

/** `candor ARGS…` in the served installation, as staff run it. */
function candor(...args) {
  return execFileSync(process.env.CANDOR_BIN, args, { cwd: process.env.CANDOR_E2E_DIR, encoding: 'utf8' });
}

/** The first mail to `email` whose text holds `words`, waiting for the server's mailer. */
async function mailWith(email, words) {
  for (let i = 0; i < 150; i++) {
    const found = mailbox().find((m) => m.rcpt_tos.includes(email) && (m.text || '').includes(words));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${email} holds “${words}”`);
}

test('a customer raises a concern, staff answer it, and the answer is on the page and in the mail', async ({ page }, info) => {
  const project = info.project.name;
  // A customer of this project's own: sign-in codes per address are limited.
  const email = `concerns-${project}@example.com`;
  candor('subject', 'add', '--email', email, '--name', 'Casey Concern');

  await signIn(page, email);
  await page.getByRole('link', { name: 'Ask a question or raise a concern' }).click();
  await expect(page).toHaveURL(/\/privacy\/concerns$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Ask a question or raise a concern' })).toBeVisible();
  await expect(page.getByText('You have not asked us anything yet.')).toBeVisible();
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'concerns-empty', project);

  // A message of blanks (which `required` lets through) is refused on
  // the page, in words.
  await page.getByLabel('What would you like to ask or tell us?').fill('   ');
  await page.getByRole('button', { name: 'Send to the privacy team' }).click();
  await expect(page.getByRole('alert')).toHaveText(/the message is empty/);
  if (project === 'javascript') await accessible(page);

  const question = `Which partners receive my data? (${project})`;
  await page.getByLabel('What would you like to ask or tell us?').fill(question);
  await page.getByRole('button', { name: 'Send to the privacy team' }).click();
  await expect(page.getByRole('status')).toHaveText(/^Sent\./);
  const item = page.locator('article.concern', { hasText: question });
  await expect(item.locator('.status')).toHaveText('Waiting for our answer');
  const id = (await item.getAttribute('id')).replace(/^concern-/, '');
  await screenshots(page, 'concerns-open', project);

  // Staff answer from the command line.
  const answer = `Only our help-desk vendor, for your support cases. (${project})`;
  candor('concerns', 'answer', id, '--text', answer);
  await page.reload();
  await expect(item.locator('.status')).toHaveText('Answered');
  await expect(item.locator('.answer')).toHaveText(answer);
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'concerns-answered', project);

  // The answer came by mail too, from the controller, naming the concern.
  const mail = await mailWith(email, answer);
  expect(mail.from).toContain('Northwind Outfitters Ltd');
  expect(mail.subject).toContain('Our answer to your question or concern');
  expect(mail.text).toContain(id);
  expect(mail.text).toContain(`> ${question}`);

  await page.getByRole('link', { name: 'Español' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Hacer una pregunta o plantear una inquietud' })).toBeVisible();
  await expect(item.locator('.status')).toHaveText('Respondido');
  await page.getByRole('link', { name: 'English' }).click();
});
