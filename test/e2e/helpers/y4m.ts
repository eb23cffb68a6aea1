// A .y4m video for Chromium's fake camera (--use-file-for-fake-video-capture), written by the test from
// synthetic faces of one pose: each 32×30 face scaled up by pixel repetition, a few frames per face.
import { writeFileSync } from 'node:fs';
import type { FacePicture } from '../../../src/data/faces.js';

/**
 * Writes `pictures` to `path` as 4:2:0 video, grey (Y only; U = V = 128) in video range (Y = 16 + 219·p,
 * the range cameras deliver), `scale` × the pictures' size, `framesPerPicture` frames each, at `fps`.
 */
export function writeFaceVideo(
  path: string,
  pictures: FacePicture[],
  { scale = 10, framesPerPicture = 3, fps = 10 } = {},
): { width: number; height: number; frames: number } {
  const { width: pictureWidth, height: pictureHeight } = pictures[0];
  const width = pictureWidth * scale;
  const height = pictureHeight * scale;
  const chroma = new Uint8Array((width / 2) * (height / 2) * 2).fill(128);
  const parts: Uint8Array[] = [
    new TextEncoder().encode(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`),
  ];
  for (const picture of pictures) {
    const luma = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const grey = picture.pixels[Math.floor(y / scale) * pictureWidth + Math.floor(x / scale)];
        luma[y * width + x] = Math.round(16 + 219 * grey);
      }
    }
    for (let f = 0; f < framesPerPicture; f++) parts.push(new TextEncoder().encode('FRAME\n'), luma, chroma);
  }
  writeFileSync(path, Buffer.concat(parts));
  return { width, height, frames: pictures.length * framesPerPicture };
}
