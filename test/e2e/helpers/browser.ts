// Headless Debian chromium driven by puppeteer, WebGPU on the SwiftShader Vulkan driver (TOOLCHAIN.md §7).
// Every console error, uncaught exception and failed request of the page and of its workers is collected,
// so a test can assert there were none; screenshots go to test-artifacts/e2e/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type ConsoleMessage, type Page } from 'puppeteer';

const baseFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const webgpuFlags = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
];

export const artifactDir = fileURLToPath(new URL('../../../test-artifacts/e2e/', import.meta.url));

export interface DemoBrowser {
  browser: Browser;
  page: Page;
  /** console errors, page errors, worker errors and failed requests, in order */
  errors: string[];
  /** the whole page, to test-artifacts/e2e/<name>.png */
  screenshot(name: string): Promise<string>;
  /** one element of the page */
  screenshotElement(selector: string, name: string): Promise<string>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /**
   * false launches chromium without the WebGPU flags: navigator.gpu exists but no adapter is granted,
   * as on a machine whose GPU is blocked.
   */
  webgpu?: boolean;
  width?: number;
  height?: number;
  /** more command-line flags, e.g. a fake camera's */
  extraFlags?: string[];
}

export async function launchDemoBrowser(options: LaunchOptions = {}): Promise<DemoBrowser> {
  const { webgpu = true, width = 1440, height = 1000, extraFlags = [] } = options;
  const browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...baseFlags, ...(webgpu ? webgpuFlags : []), ...extraFlags],
    defaultViewport: { width, height },
  });
  const errors: string[] = [];
  const onConsole = (where: string) => (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`${where} console.error: ${message.text()}`);
  };
  const page = await browser.newPage();
  page.on('console', onConsole('page'));
  page.on('pageerror', (error) => errors.push(`page error: ${String(error)}`));
  page.on('requestfailed', (request) =>
    errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  page.on('workercreated', (worker) => {
    worker.on('console', onConsole(`worker ${worker.url()}`));
    worker.on('error', (error) => errors.push(`worker error: ${String(error)}`));
  });
  mkdirSync(artifactDir, { recursive: true });

  return {
    browser,
    page,
    errors,
    async screenshot(name) {
      const path = `${artifactDir}${name}.png`;
      // Let layout and paint settle after the last change, or the capture can show a half-drawn frame.
      await page.evaluate(
        () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
      );
      await page.screenshot({ path: path as `${string}.png`, fullPage: true });
      return path;
    },
    async screenshotElement(selector, name) {
      const path = `${artifactDir}${name}.png`;
      const element = await page.$(selector);
      if (!element) throw new Error(`no ${selector} on the page to screenshot`);
      await element.screenshot({ path: path as `${string}.png` });
      return path;
    },
    async close() {
      const process = browser.process();
      try {
        await browser.close();
      } finally {
        // A browser that did not close cleanly must not outlive the test run.
        if (process && process.exitCode === null && process.signalCode === null) process.kill('SIGKILL');
      }
    },
  };
}
