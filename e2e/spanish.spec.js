// Every page of the privacy center in Spanish: chosen with the switcher
// (remembered in a cookie), free of serious or critical axe-core
// violations, and photographed at 1280 and 360 px like the English ones.
const { execFileSync } = require('node:child_process');
const { test, expect } = require('@playwright/test');
const { signIn, accessible, screenshots } = require('./support');

const PAGES = [
  ['/privacy', 'Tus datos'],
  ['/privacy/requests', 'Descargar, corregir o borrar tus datos'],
  ['/privacy/delete', 'Borra tus datos'],
  ['/privacy/concerns', null],
  ['/privacy/changes', null],
];

test('every page reads in Spanish and passes axe-core', async ({ page }, info) => {
  const project = info.project.name;
  const email = `es-${project}@example.com`;
  execFileSync(process.env.CANDOR_BIN, ['subject', 'add', '--email', email, '--name', 'Elena Española'], {
    cwd: process.env.CANDOR_E2E_DIR,
    encoding: 'utf8',
  });
  await page.goto('/privacy/sign-in?lang=es');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  if (project === 'javascript') await accessible(page);
  await screenshots(page, 'es-sign-in', project);
  await page.goto('/privacy/sign-in?lang=en');
  await signIn(page, email);
  await page.getByRole('link', { name: 'Español' }).click();
  for (const [path, heading] of PAGES) {
    await page.goto(path);
    await expect(page.locator('html')).toHaveAttribute('lang', 'es');
    if (heading) await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    if (project === 'javascript') await accessible(page);
    await screenshots(page, `es${path.replace(/\//g, '-')}`, project);
  }
});
