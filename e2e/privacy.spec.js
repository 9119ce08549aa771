// The privacy center as a customer uses it, with and without JavaScript:
// sign in with the code, see what is held, object and allow again, read
// the pages in Spanish, sign out.
const { test, expect } = require('@playwright/test');
const { signIn, mailbox, accessible, screenshots } = require('./support');

const EMAIL = process.env.CANDOR_E2E_EMAIL || 'e2e@example.com';

test('a customer signs in with a code and changes a choice with one press', async ({ page }, info) => {
  const project = info.project.name;
  await page.goto('/privacy/sign-in?lang=en');
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'sign-in', project);

  await signIn(page, EMAIL);
  await expect(page.getByRole('heading', { level: 1, name: 'Your data' })).toBeVisible();
  // The code came by mail, from the controller.
  const mail = mailbox().filter((m) => m.rcpt_tos.includes(EMAIL)).pop();
  expect(mail.from).toContain('Northwind Outfitters Ltd');
  expect(mail.content_type).toBe('text/plain');
  await expect(page.getByRole('cell', { name: EMAIL })).toBeVisible();
  // Where it came from (staff added Eve at the shell) and until when it is kept.
  await expect(page.getByRole('cell', { name: 'Entered by our staff' }).first()).toBeVisible();
  await expect(page.getByRole('cell', { name: /^until \d{4}-\d{2}-\d{2}, for: / }).first()).toBeVisible();
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'dashboard', project);

  const analytics = page.locator('#purpose-analytics');
  await expect(analytics.locator('.status')).toHaveText(/^(On|Off)/);
  const before = await analytics.locator('.status').innerText();
  const press = before.startsWith('On') ? 'Object' : 'Allow again';
  await analytics.getByRole('button', { name: press }).click();
  await expect(page.locator('.notice')).toBeVisible();
  await expect(page.locator('#purpose-analytics .status')).not.toHaveText(before);
  // And back, with one press again.
  const undo = press === 'Object' ? 'Allow again' : 'Object';
  await page.locator('#purpose-analytics').getByRole('button', { name: undo }).click();
  await expect(page.locator('#purpose-analytics .status')).toHaveText(/On/);

  await page.getByRole('link', { name: 'Español' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tus datos' })).toBeVisible();
  await screenshots(page, 'dashboard-es', project);
  await page.getByRole('link', { name: 'English' }).click();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/privacy\/sign-in$/);
  await page.goto('/privacy');
  await expect(page).toHaveURL(/\/privacy\/sign-in$/);
});

test('a wrong code is refused in words and signs nobody in', async ({ page }) => {
  await page.goto('/privacy/sign-in?lang=en');
  await page.getByLabel('Your e-mail address').fill(EMAIL);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  // Mail is configured: the page does not say the code went to the operator.
  await expect(page.getByText('the code was given to the operator')).toHaveCount(0);
  await page.getByLabel('Your code').fill('00000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(/wrong or has expired/);
  await page.goto('/privacy');
  await expect(page).toHaveURL(/\/privacy\/sign-in$/);
});
