// What a person waits for in the demo, in headless Debian chromium on SwiftShader: for each of `loads`
// page loads (one browser profile, so what the first visit keeps is there for the next), the time until
// the backend status shows (the worker's engine made, its kernel choice measured or read back), and from
// the Train click to the first epoch's row and to the end of the default run. Builds the demo first
// unless --no-build. Run: node scripts/demo-timing.mjs [loads=3] [--no-build]
import puppeteer from 'puppeteer';
import { build, preview } from 'vite';

const loads = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 3);
const configFile = new URL('../vite.config.ts', import.meta.url).pathname;
if (!process.argv.includes('--no-build')) await build({ configFile, logLevel: 'warn' });
const server = await preview({ configFile, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--use-vulkan=swiftshader',
    '--use-webgpu-adapter=swiftshader',
  ],
});
try {
  const page = await browser.newPage();
  for (let load = 1; load <= loads; load++) {
    const start = performance.now();
    await page.goto(server.resolvedUrls.local[0], { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.getElementById('backend-status')?.dataset.kind !== 'checking', {
      timeout: 120_000,
      polling: 10,
    });
    const status = performance.now() - start;
    await page.waitForFunction(() => !document.getElementById('train-button').disabled, { timeout: 60_000 });
    const clicked = performance.now();
    await page.click('#train-button');
    await page.waitForFunction(() => document.querySelectorAll('#epoch-rows tr').length > 0, {
      timeout: 120_000,
      polling: 10,
    });
    const firstEpoch = performance.now() - clicked;
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), {
      timeout: 600_000,
    });
    const done = performance.now() - clicked;
    const state = await page.evaluate(() => document.body.dataset.state);
    console.log(
      `load ${load}: status after ${status.toFixed(0)} ms; Train → first epoch ${firstEpoch.toFixed(0)} ms, → ${state} ${done.toFixed(0)} ms`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
