// The "Live camera" card: after training, "Use camera" classifies the person in front of the webcam on
// every video frame (camera-classifier.ts) and shows the class, its scores, the 32×30 input the network
// saw and the frames per second. The card builds its own elements, so demo/main.ts only wires it in.

import { CameraClassifier } from './camera-classifier.js';

/** What the camera needs from the page: the trained network, saved, and the names of its outputs. */
export interface CameraModel {
  /** net.save() as JSON text */
  saved: string;
  classNames: string[];
  width: number;
  height: number;
}

export interface CameraPanel {
  /** Offers the camera once a network has been trained (or not, while none is). */
  enable(ready: boolean): void;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  properties: Partial<HTMLElementTagNameMap[K]> = {},
): HTMLElementTagNameMap[K] {
  return Object.assign(document.createElement(tag), properties);
}

/** Adds the card after `after`; `model()` gives the network to run when the camera starts. */
export function setupCameraPanel(after: HTMLElement, model: () => Promise<CameraModel>): CameraPanel {
  const card = element('section', { className: 'card', id: 'camera-panel' });
  const useButton = element('button', {
    id: 'use-camera',
    type: 'button',
    textContent: 'Use camera',
    disabled: true,
  });
  const stopButton = element('button', {
    id: 'stop-camera',
    type: 'button',
    textContent: 'Stop camera',
    hidden: true,
  });
  const video = element('video', { id: 'camera-video', muted: true, playsInline: true, width: 160 });
  const input = element('canvas', {
    id: 'camera-input',
    width: 96,
    height: 90,
    title: 'What the network sees',
  });
  const label = element('p', { id: 'camera-label', className: 'summary' });
  const scores = element('p', { id: 'camera-scores', className: 'hint' });
  const rate = element('p', { id: 'camera-rate', className: 'hint' });
  const status = element('p', { id: 'camera-status', className: 'status' });
  const view = element('div', { id: 'camera-view', className: 'camera-view', hidden: true });
  view.append(video, input, element('div'));
  (view.lastElementChild as HTMLElement).append(label, scores, rate);
  const buttons = element('div', { className: 'button-row' });
  buttons.append(useButton, stopButton);
  card.append(
    element('h2', { textContent: 'Live camera' }),
    element('p', {
      className: 'hint',
      textContent:
        'Classifies the person in front of your webcam on every frame. The frame, its 32×30 grey input and ' +
        'the network all stay on the GPU; only the scores come back.',
    }),
    buttons,
    view,
    status,
  );
  after.after(card);

  let running: { stop(): void } | undefined;

  async function start(): Promise<void> {
    useButton.disabled = true;
    status.textContent = 'Starting the camera…';
    let stream: MediaStream | undefined;
    let classifier: CameraClassifier | undefined;
    try {
      const trained = await model();
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
      video.srcObject = stream;
      await video.play();
      classifier = await CameraClassifier.create(trained.saved, input, trained.width, trained.height);
      const active = { stream, classifier, stopped: false };
      running = {
        stop() {
          active.stopped = true;
        },
      };
      view.hidden = false;
      stopButton.hidden = false;
      status.textContent = '';
      await classifyFrames(video, active, trained.classNames);
    } catch (error) {
      status.textContent = `Camera: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      for (const track of stream?.getTracks() ?? []) track.stop();
      classifier?.dispose();
      video.srcObject = null;
      running = undefined;
      stopButton.hidden = true;
      useButton.disabled = false;
    }
  }

  /** One frame at a time, each new video frame once, until stopped; the label, scores and rate shown. */
  async function classifyFrames(
    source: HTMLVideoElement,
    active: { classifier: CameraClassifier; stopped: boolean },
    classNames: string[],
  ): Promise<void> {
    let frames = 0;
    let windowStart = performance.now();
    let windowFrames = 0;
    let busy = 0;
    while (!active.stopped) {
      await nextVideoFrame(source);
      if (active.stopped) break;
      const { outputs, milliseconds } = await active.classifier.classify(source);
      const best = outputs.indexOf(Math.max(...outputs));
      frames++;
      windowFrames++;
      busy += milliseconds;
      label.textContent = classNames[best] ?? `output ${best + 1}`;
      label.dataset.frame = String(frames);
      scores.textContent = Array.from(
        outputs,
        (value, k) => `${classNames[k] ?? k + 1} ${value.toFixed(2)}`,
      ).join(' · ');
      const now = performance.now();
      if (now - windowStart >= 1000) {
        const perSecond = (windowFrames * 1000) / (now - windowStart);
        rate.textContent = `${perSecond.toFixed(1)} frames/s classified · ${(busy / windowFrames).toFixed(1)} ms per frame, from the frame's copy to its outputs on the CPU`;
        rate.dataset.framesPerSecond = perSecond.toFixed(2);
        rate.dataset.milliseconds = (busy / windowFrames).toFixed(2);
        windowStart = now;
        windowFrames = 0;
        busy = 0;
      }
    }
  }

  useButton.addEventListener('click', () => void start());
  stopButton.addEventListener('click', () => running?.stop());
  return {
    enable(ready) {
      useButton.disabled = !ready || running !== undefined;
      if (!ready) running?.stop();
    },
  };
}

/** Resolves when the video shows a frame it has not shown before (or on the next animation frame). */
function nextVideoFrame(video: HTMLVideoElement): Promise<void> {
  return new Promise((resolve) => {
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => resolve());
    else requestAnimationFrame(() => resolve());
  });
}
