// candor's pages in a real browser: Debian's Chromium driven by
// Playwright (no browser download). `.ci/e2e` starts `candor serve` on a
// demo installation and sets CANDOR_E2E_URL, CANDOR_E2E_DIR and CANDOR_BIN.
const { defineConfig } = require('@playwright/test');

module.exports = defineConfig({
  testDir: '.',
  testMatch: '*.spec.js',
  outputDir: 'artifacts/results',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: process.env.CANDOR_E2E_URL,
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox'],
    },
  },
  projects: [
    { name: 'javascript', use: { javaScriptEnabled: true } },
    { name: 'no-javascript', use: { javaScriptEnabled: false } },
  ],
});
