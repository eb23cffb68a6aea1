// The demo's live camera (demo/camera) in headless chromium with a fake camera: the test writes a .y4m of
// synthetic faces of one pose (people the network never saw: another seed), trains the pose network on
// the page, presses "Use camera", and counts what the page names, frame by frame. Screenshot to
// test-artifacts/e2e/camera.png; the frames per second on SwiftShader are printed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { syntheticFacePictures } from '../../src/data/synthetic-faces.js';
import { type DemoBrowser, launchDemoBrowser } from './helpers/browser.js';
import { setField, trainAndWait } from './helpers/page.js';
import { writeFaceVideo } from './helpers/y4m.js';

const pose = 'left';
const framesToWatch = 40;

describe('demo: live pose from a (fake) camera', () => {
  let demo: DemoBrowser;
  let video: { width: number; height: number; frames: number };

  beforeAll(async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'camera-')), `${pose}.y4m`);
    const faces = syntheticFacePictures({ seed: 2, people: 6 }).filter(
      (picture) => picture.face.pose === pose && picture.face.eyes === 'open',
    );
    video = writeFaceVideo(path, faces.slice(0, 12));
    demo = await launchDemoBrowser({
      extraFlags: [
        // Without it, headless chromium on SwiftShader cannot copy a video frame into a texture ("Failed to
        // copy content from video element") and drawing on a WebGPU canvas drops the WebGPU instance.
        '--use-angle=swiftshader',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${path}`,
      ],
    });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it(`names the pose "${pose}" on most frames, with the frames per second shown`, async () => {
    const { page } = demo;
    await page.goto(inject('demoUrl'), { waitUntil: 'networkidle0' });
    expect(await page.$eval('#use-camera', (button) => (button as HTMLButtonElement).disabled)).toBe(true);
    await setField(page, 'backend', 'cpu');
    await setField(page, 'epochs', '30');
    await trainAndWait(page, 180_000);
    const accuracy = await page.$eval('#test-summary', (element) => element.textContent);
    await page.waitForFunction(() => !(document.getElementById('use-camera') as HTMLButtonElement).disabled);

    // Every frame's label, as the page writes it (data-frame counts the frames classified).
    await page.evaluate(() => {
      const label = document.getElementById('camera-label') as HTMLElement;
      const named: string[] = [];
      (window as { namedPoses?: string[] }).namedPoses = named;
      new MutationObserver(() => named.push(label.textContent ?? '')).observe(label, {
        attributes: true,
        attributeFilter: ['data-frame'],
      });
    });
    await page.click('#use-camera');
    await page
      .waitForFunction(
        (frames) => ((window as { namedPoses?: string[] }).namedPoses ?? []).length >= frames,
        { timeout: 120_000 },
        framesToWatch,
      )
      .catch(async (error) => {
        const state = await page.evaluate(() => ({
          status: document.getElementById('camera-status')?.textContent,
          frames: ((window as { namedPoses?: string[] }).namedPoses ?? []).length,
        }));
        throw new Error(`${error}; camera status "${state.status}", ${state.frames} frames; ${demo.errors}`);
      });
    const named = await page.evaluate(() => (window as { namedPoses?: string[] }).namedPoses ?? []);
    const rate = await page.$eval('#camera-rate', (element) => ({
      text: element.textContent,
      framesPerSecond: Number((element as HTMLElement).dataset.framesPerSecond),
      milliseconds: Number((element as HTMLElement).dataset.milliseconds),
    }));
    const scores = await page.$eval('#camera-scores', (element) => element.textContent);
    await demo.screenshotElement('#camera-panel', 'camera');
    const counts = Object.fromEntries(
      [...new Set(named)].map((name) => [name, named.filter((n) => n === name).length]),
    );
    const fraction = (counts[pose] ?? 0) / named.length;
    console.log(
      `camera: ${video.width}×${video.height} fake video of ${video.frames} frames; ${accuracy}; ` +
        `${named.length} frames classified: ${JSON.stringify(counts)} (${(100 * fraction).toFixed(0)}% ${pose}); ` +
        `${rate.text}; last scores ${scores}`,
    );
    expect(fraction).toBeGreaterThan(0.5);
    expect(rate.framesPerSecond).toBeGreaterThan(0);
    expect(rate.milliseconds).toBeGreaterThan(0);

    await page.click('#stop-camera');
    await page.waitForFunction(() => !(document.getElementById('use-camera') as HTMLButtonElement).disabled);
    expect(demo.errors).toEqual([]);
  });
});
