// The camera demo's input (demo/camera): one video frame, already in a texture, becomes the network's input
// in a GPU buffer, a width × height grey image in [0, 1], row-major like the training faces; and that image
// is drawn on a canvas, so the page shows what the network saw without reading it back.
// Bindings: frame (texture_2d<f32>, the video frame, RGBA in [0, 1]), crop (uniform Crop: the region of the
//   frame that becomes the image: origin and size in frame pixels, and the image's width and height),
//   pixels ([height, width] f32 row-major, read_write: written by toInput), shown (the same buffer, read:
//   read by showFragment).
// Entry points:
//   toInput       compute, one invocation per image pixel (workgroup 8 × 8): the pixel's cell of the crop
//                 region (crop.size / (width, height) frame pixels) is sampled on an n × n grid,
//                 n = clamp(ceil(cell), 1, 16), and the mean luma (BT.601: 0.299 R + 0.587 G + 0.114 B) is
//                 its grey level, as downscaling a photograph averages it.
//   showVertex    one triangle that covers the canvas.
//   showFragment  the grey level of the image pixel under the fragment (nearest), opaque.
// Overrides: none.

struct Crop {
  origin: vec2f,
  size: vec2f,
  width: u32,
  height: u32,
}

@group(0) @binding(0) var frame: texture_2d<f32>;
@group(0) @binding(1) var<uniform> crop: Crop;
@group(0) @binding(2) var<storage, read_write> pixels: array<f32>;
@group(0) @binding(3) var<storage, read> shown: array<f32>;

const lumaWeights = vec3f(0.299, 0.587, 0.114);

@compute @workgroup_size(8, 8)
fn toInput(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= crop.width || id.y >= crop.height) {
    return;
  }
  let cell = crop.size / vec2f(f32(crop.width), f32(crop.height));
  let samples = vec2u(clamp(ceil(cell), vec2f(1.0), vec2f(16.0)));
  let last = vec2i(textureDimensions(frame)) - 1;
  var sum = 0.0;
  for (var j = 0u; j < samples.y; j++) {
    for (var i = 0u; i < samples.x; i++) {
      let at = crop.origin + (vec2f(id.xy) + (vec2f(f32(i), f32(j)) + 0.5) / vec2f(samples)) * cell;
      let texel = textureLoad(frame, clamp(vec2i(at), vec2i(0), last), 0);
      sum += dot(texel.rgb, lumaWeights);
    }
  }
  pixels[id.y * crop.width + id.x] = clamp(sum / f32(samples.x * samples.y), 0.0, 1.0);
}

struct Varyings {
  @builtin(position) position: vec4f,
  // (0, 0) at the image's top left, (1, 1) at its bottom right
  @location(0) place: vec2f,
}

@vertex
fn showVertex(@builtin(vertex_index) index: u32) -> Varyings {
  let corner = vec2f(f32((index << 1u) & 2u), f32(index & 2u));
  return Varyings(vec4f(corner * vec2f(2.0, -2.0) + vec2f(-1.0, 1.0), 0.0, 1.0), corner);
}

@fragment
fn showFragment(in: Varyings) -> @location(0) vec4f {
  let width = crop.width;
  let height = crop.height;
  let column = min(u32(in.place.x * f32(width)), width - 1u);
  let row = min(u32(in.place.y * f32(height)), height - 1u);
  let grey = shown[row * width + column];
  return vec4f(grey, grey, grey, 1.0);
}
