// What changed, with and without JavaScript: a customer consents to
// personalization, the operator publishes a material change to it with the
// CLI, the customer is told by mail, sees the banner on every page and the
// change in words, renews with one press, and the banner is gone. The
// installation is shared and the spec runs once per project, so each run
// publishes a change of its own (personalization keeps data one day longer
// than the version in force).
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { test, expect } = require('@playwright/test');
const { signIn, mailbox, accessible, screenshots } = require('./support');

const EMAIL = process.env.CANDOR_E2E_EMAIL || 'e2e@example.com';
const BANNER = 'We changed how we use your data for “Personalized service”';

/** Run the candor CLI in the installation. */
function candor(...args) {
  return execFileSync(process.env.CANDOR_BIN, args, { cwd: process.env.CANDOR_E2E_DIR, encoding: 'utf8' });
}

/** Publish the policy in force with personalization kept a day longer. */
function publishLongerPersonalization(project) {
  const current = candor('policy', 'show');
  const block = /id = "personalization"[\s\S]*?retention_days = (\d+)/.exec(current);
  expect(block, 'the policy in force has a personalization purpose').not.toBeNull();
  const days = Number(block[1]) + 1;
  const next = current.replace(block[0], block[0].replace(/retention_days = \d+$/, `retention_days = ${days}`));
  const file = path.join(process.env.CANDOR_E2E_DIR, `policy-e2e-${project}.toml`);
  fs.writeFileSync(file, next);
  const out = candor('policy', 'publish', file);
  expect(out).toContain('notices queued');
  return days;
}

/** The first mail to `email` after the first `seen` whose subject matches. */
async function mailAbout(email, seen, subject) {
  for (let i = 0; i < 150; i++) {
    const found = mailbox().slice(seen).find((m) => m.rcpt_tos.includes(email) && subject.test(m.subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail about ${subject} reached ${email}`);
}

test('a material change asks for fresh consent by mail and on every page until it is renewed', async ({ page }, info) => {
  const project = info.project.name;
  await page.goto('/privacy/sign-in?lang=en');
  await signIn(page, EMAIL);
  // Consent to personalization: given here, or renewed if an earlier run
  // left it outdated.
  const card = page.locator('#purpose-personalization');
  for (const label of ['Agree', 'Renew consent']) {
    const button = card.getByRole('button', { name: label });
    if (await button.count()) await button.click();
  }
  await expect(page.locator('#purpose-personalization .status')).toHaveText(/^On: you agreed/);
  await expect(page.locator('.renew')).toHaveCount(0);

  const seen = mailbox().length;
  const days = publishLongerPersonalization(project);
  // The server notices a version another process published within a
  // second (it caches the policy in force that long).
  await expect(async () => {
    await page.goto('/privacy');
    await expect(page.locator('.renew')).toContainText(BANNER, { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(page.locator('#purpose-personalization .status')).toHaveText(/^Off until you renew your consent/);
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'banner', project);

  // The notice came by mail, naming the change.
  const mail = await mailAbout(EMAIL, seen, /We changed how we use your data/);
  expect(mail.from).toContain('Northwind Outfitters Ltd');
  expect(mail.text).toContain(`Personalized service: retention longer: ${days} days instead of ${days - 1}`);
  expect(mail.text).toContain('Your earlier consent to Personalized service no longer applies');

  // What changed, in words, newest first; the banner is there too.
  await page.getByRole('link', { name: 'What changed', exact: true }).click();
  await expect(page).toHaveURL(/\/privacy\/changes$/);
  await expect(page.getByRole('heading', { level: 1, name: 'What changed' })).toBeVisible();
  await expect(page.locator('.version').first()).toContainText(`“Personalized service”: we now keep your data for ${days} days instead of ${days - 1}.`);
  await expect(page.locator('.renew')).toContainText(BANNER);
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'changes', project);

  // One press renews it; the banner goes.
  await page.locator('.renew').getByRole('button', { name: 'Renew my consent to “Personalized service”' }).click();
  await expect(page).toHaveURL(/\/privacy\?done=grant&purpose=personalization/);
  await expect(page.locator('.renew')).toHaveCount(0);
  await expect(page.locator('#purpose-personalization .status')).toHaveText(/^On: you agreed/);
  await page.goto('/privacy/changes');
  await expect(page.locator('.renew')).toHaveCount(0);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/privacy\/sign-in$/);
});
