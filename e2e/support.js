// What the specs share: the sign-in code read from the mail the SMTP
// server received, accessibility checks with axe-core, and screenshots.
const fs = require('node:fs');
const path = require('node:path');
const { expect } = require('@playwright/test');
const AxeBuilder = require('@axe-core/playwright').default;

/** The messages the SMTP server has accepted so far, oldest first. */
function mailbox() {
  const dir = process.env.CANDOR_E2E_MAIL;
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** The sign-in code in the first mail to `email` after the first `seen` messages. */
async function signInCode(email, seen) {
  for (let i = 0; i < 100; i++) {
    const fresh = mailbox().slice(seen).filter((m) => m.rcpt_tos.includes(email));
    const code = fresh.map((m) => /is (\d{8})\./.exec(m.text || '')).find(Boolean);
    if (code) return code[1];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no sign-in code was mailed to ${email}`);
}

/** Sign in through the pages as the customer with `email`. */
async function signIn(page, email) {
  await page.goto('/privacy');
  await expect(page).toHaveURL(/\/privacy\/sign-in$/);
  await page.getByLabel(/e-mail|correo/i).fill(email);
  const seen = mailbox().length;
  await page.getByRole('button', { name: /code|código/i }).click();
  await page.getByLabel(/code|código/i).fill(await signInCode(email, seen));
  await page.getByRole('button', { name: /sign in|entrar/i }).click();
  await expect(page).toHaveURL(/\/privacy$/);
}

/** No serious or critical axe-core violation on the page as it is now. */
async function accessible(page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
}

/** Full-page screenshots at 1280 and 360 px wide, kept as CI artifacts. */
async function screenshots(page, name, project) {
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(__dirname, 'artifacts', `${project}-${name}-${width}.png`), fullPage: true });
    if (project === 'javascript') {
      // Nothing overflows sideways at this width (measured with script,
      // which the other project runs without).
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

module.exports = { signIn, signInCode, mailbox, accessible, screenshots };
