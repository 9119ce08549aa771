// Passkeys at the staff console in a real browser: Chromium's virtual
// authenticator (a platform authenticator with user verification, driven
// over the DevTools protocol) stands in for a phone or a laptop's
// fingerprint reader. A staff member registers a passkey from the
// console, signs out, and signs in with it. Without JavaScript the
// passkey forms stay hidden and the token still works.
//
// Browsers allow passkeys on a host name, never an IP address: `.ci/e2e`
// sets `server.public_url` to http://localhost:PORT and these pages are
// opened there (CANDOR_E2E_PASSKEY_URL).
const { execFileSync } = require('node:child_process');
const { test, expect } = require('@playwright/test');
const { accessible, screenshots } = require('./support');

const base = process.env.CANDOR_E2E_PASSKEY_URL;

function candor(...args) {
  return execFileSync(process.env.CANDOR_BIN, args, { cwd: process.env.CANDOR_E2E_DIR, encoding: 'utf8' });
}

function staff(name, role) {
  candor('actor', 'add', name, '--role', role);
  candor('actor', 'attest', name);
  return name;
}

async function signInWithToken(page, actor) {
  await page.goto(`${base}/console/sign-in`);
  await page.getByLabel('API token', { exact: true }).fill(candor('actor', 'token', actor).trim());
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByText(`Signed in as ${actor}`)).toBeVisible();
}

test('a staff member registers a passkey and signs in with it', async ({ page }, info) => {
  const project = info.project.name;
  const me = staff(`passkey-${project}@northwind.example`, 'compliance');
  await signInWithToken(page, me);
  await page.getByRole('link', { name: 'Passkeys' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Passkeys' })).toBeVisible();
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();

  if (project === 'no-javascript') {
    // Nothing to press without script, and the other ways still work.
    await expect(page.getByRole('button', { name: 'Register a passkey' })).toBeHidden();
    await expect(page.getByText('Registering a passkey needs JavaScript')).toBeVisible();
    await screenshots(page, 'console-passkeys', project);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeHidden();
    await signInWithToken(page, me);
    return;
  }

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await accessible(page);
  await page.getByLabel('A name for it (optional)').fill('Test laptop');
  await page.getByRole('button', { name: 'Register a passkey' }).click();
  await expect(page).toHaveURL(/\/console\/passkeys\?added=1$/);
  await expect(page.getByRole('status').filter({ hasText: 'The passkey is registered' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: 'Test laptop' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Never');
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);
  await accessible(page);
  await screenshots(page, 'console-passkeys', project);

  // Signed out, the passkey signs the member in: no id, no code.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/console\/sign-in$/);
  await accessible(page);
  await screenshots(page, 'console-sign-in-passkey', project);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByText(`Signed in as ${me}`)).toBeVisible();
  await page.goto(`${base}/console/passkeys`);
  await expect(page.getByRole('row').filter({ hasText: 'Test laptop' })).not.toContainText('Never');

  // Removed, the same passkey is refused, in words.
  await page.getByRole('button', { name: 'Remove: Test laptop' }).click();
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('alert')).toHaveText('That passkey was not accepted. Try again, or sign in another way.');
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
});
