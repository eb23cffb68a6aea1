// Live classification of camera frames with nothing crossing to the CPU but the outputs: each video frame
// is copied into a texture (copyExternalImageToTexture), shaders/camera-input.wgsl turns it into the
// network's 32×30 grey input in a GPU buffer and draws that input on a canvas, net.predictBuffer classifies
// it into another GPU buffer, and only its few outputs are read back for the label. Bindings and the Crop
// layout are read from the WGSL (wgsl_reflect, when scripts/gen-shaders.mjs generates camera-input.gen.ts),
// never numbered by hand.

import { createEngine, type Engine, Network } from 'webgpu-mlp';
import { cameraInputShader } from './camera-input.gen.js';

const { reflection } = cameraInputShader;

/** A binding of camera-input.wgsl by name. */
function binding(name: string): number {
  const variable = reflection.bindings.find((v) => v.name === name);
  if (!variable) throw new Error(`shaders/camera-input.wgsl: no binding "${name}"`);
  return variable.binding;
}

/** Byte offset of a member of the Crop uniform. */
function cropOffset(member: keyof typeof reflection.structs.Crop.members): number {
  return reflection.structs.Crop.members[member];
}

const cropBytes = Math.ceil(reflection.structs.Crop.size / 16) * 16;

export interface CameraFrameResult {
  /** the network's outputs for the frame */
  outputs: Float32Array;
  /** milliseconds from the frame's copy to the outputs on the CPU */
  milliseconds: number;
}

export class CameraClassifier {
  private frameTexture: GPUTexture | undefined;
  private bindings: { compute: GPUBindGroup; show: GPUBindGroup } | undefined;
  private readonly pixels: GPUBuffer;
  private readonly output: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly crop: GPUBuffer;
  private readonly toInput: GPUComputePipeline;
  private readonly show: GPURenderPipeline;
  private readonly context: GPUCanvasContext;

  private constructor(
    private readonly device: GPUDevice,
    private readonly engine: Engine,
    private readonly net: Network,
    private readonly width: number,
    private readonly height: number,
    canvas: HTMLCanvasElement,
  ) {
    const outputBytes = net.outputSize * 4;
    this.pixels = device.createBuffer({
      label: 'camera input',
      size: width * height * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
    this.output = device.createBuffer({
      label: 'camera outputs',
      size: outputBytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.staging = device.createBuffer({
      label: 'camera outputs readback',
      size: outputBytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.crop = device.createBuffer({
      label: 'camera crop',
      size: cropBytes,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const module = device.createShaderModule({ label: 'camera-input.wgsl', code: cameraInputShader.source });
    this.toInput = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'toInput' },
    });
    const format = navigator.gpu.getPreferredCanvasFormat();
    this.show = device.createRenderPipeline({
      layout: 'auto',
      vertex: { module, entryPoint: 'showVertex' },
      fragment: { module, entryPoint: 'showFragment', targets: [{ format }] },
    });
    const context = canvas.getContext('webgpu');
    if (!context) throw new Error('this browser gives no WebGPU canvas context');
    context.configure({ device, format, alphaMode: 'opaque' });
    this.context = context;
  }

  /**
   * A classifier with its own device and engine, running the network saved by net.save() (`saved`, its
   * JSON text), drawing what it sees on `canvas`. The network takes width × height grey images.
   */
  static async create(saved: string, canvas: HTMLCanvasElement, width: number, height: number) {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) throw new Error('the camera needs WebGPU, and this browser gives no adapter');
    const device = await adapter.requestDevice();
    const engine = await createEngine({ device });
    const net = Network.load(saved, engine);
    if (net.inputSize !== width * height) {
      engine.dispose();
      device.destroy();
      throw new Error(`the trained network takes ${net.inputSize} inputs, not a ${width}×${height} image`);
    }
    return new CameraClassifier(device, engine, net, width, height, canvas);
  }

  /** The frame's texture and the bind groups on it, remade when the video's size changes. */
  private prepare(frameWidth: number, frameHeight: number): { compute: GPUBindGroup; show: GPUBindGroup } {
    const texture = this.frameTexture;
    if (this.bindings && texture?.width === frameWidth && texture.height === frameHeight)
      return this.bindings;
    texture?.destroy();
    const frameTexture = this.device.createTexture({
      label: 'camera frame',
      size: [frameWidth, frameHeight],
      format: 'rgba8unorm',
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT,
    });
    this.frameTexture = frameTexture;
    // The centred region of the frame with the image's aspect ratio.
    const scale = Math.min(frameWidth / this.width, frameHeight / this.height);
    const size = [this.width * scale, this.height * scale];
    const origin = [(frameWidth - size[0]) / 2, (frameHeight - size[1]) / 2];
    const bytes = new ArrayBuffer(cropBytes);
    new Float32Array(bytes, cropOffset('origin'), 2).set(origin);
    new Float32Array(bytes, cropOffset('size'), 2).set(size);
    new Uint32Array(bytes, cropOffset('width'), 1)[0] = this.width;
    new Uint32Array(bytes, cropOffset('height'), 1)[0] = this.height;
    this.device.queue.writeBuffer(this.crop, 0, bytes);
    this.bindings = {
      compute: this.device.createBindGroup({
        layout: this.toInput.getBindGroupLayout(0),
        entries: [
          { binding: binding('frame'), resource: frameTexture.createView() },
          { binding: binding('crop'), resource: { buffer: this.crop } },
          { binding: binding('pixels'), resource: { buffer: this.pixels } },
        ],
      }),
      show: this.device.createBindGroup({
        layout: this.show.getBindGroupLayout(0),
        entries: [
          { binding: binding('crop'), resource: { buffer: this.crop } },
          { binding: binding('shown'), resource: { buffer: this.pixels } },
        ],
      }),
    };
    return this.bindings;
  }

  /** Classifies the video's current frame: GPU work only, then one small readback of the outputs. */
  async classify(video: HTMLVideoElement): Promise<CameraFrameResult> {
    const started = performance.now();
    const { videoWidth, videoHeight } = video;
    const bindings = this.prepare(videoWidth, videoHeight);
    this.device.queue.copyExternalImageToTexture(
      { source: video },
      { texture: this.frameTexture as GPUTexture },
      [videoWidth, videoHeight],
    );
    const encoder = this.device.createCommandEncoder({ label: 'camera frame' });
    const compute = encoder.beginComputePass();
    compute.setPipeline(this.toInput);
    compute.setBindGroup(0, bindings.compute);
    compute.dispatchWorkgroups(Math.ceil(this.width / 8), Math.ceil(this.height / 8));
    compute.end();
    const draw = encoder.beginRenderPass({
      colorAttachments: [
        { view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store' },
      ],
    });
    draw.setPipeline(this.show);
    draw.setBindGroup(0, bindings.show);
    draw.draw(3);
    draw.end();
    this.device.queue.submit([encoder.finish()]);
    // Queued after the frame's pass, so it reads the input that pass wrote.
    this.net.predictBuffer(this.pixels, 1, { output: this.output });
    const copy = this.device.createCommandEncoder({ label: 'camera outputs' });
    copy.copyBufferToBuffer(this.output, 0, this.staging, 0, this.staging.size);
    this.device.queue.submit([copy.finish()]);
    await this.staging.mapAsync(GPUMapMode.READ);
    const outputs = new Float32Array(this.staging.getMappedRange().slice(0));
    this.staging.unmap();
    return { outputs, milliseconds: performance.now() - started };
  }

  dispose(): void {
    this.frameTexture?.destroy();
    for (const buffer of [this.pixels, this.output, this.staging, this.crop]) buffer.destroy();
    this.engine.dispose();
    this.device.destroy();
  }
}
