// Library (no bindings, no entry points): the activations f(z) beside their derivatives f'(z), as in
// src/backends/cpu/math.ts. Kernels that need them are compiled with this file prepended (kernels.ts).
//
// Activation codes, the value of every `activation` override constant (kernels.ts activationCodes):
//   0 sigmoid   1 tanh   2 relu   3 leaky-relu (slope 0.01 below 0)   4 linear   5 softmax
// Softmax acts on a whole row, so activate() passes z through for it and loss.wgsl normalises the row.

const ACTIVATION_SIGMOID: u32 = 0u;
const ACTIVATION_TANH: u32 = 1u;
const ACTIVATION_RELU: u32 = 2u;
const ACTIVATION_LEAKY_RELU: u32 = 3u;
const ACTIVATION_LINEAR: u32 = 4u;
const ACTIVATION_SOFTMAX: u32 = 5u;
const LEAKY_RELU_SLOPE: f32 = 0.01;

// σ(z) = 1 / (1 + e^(−z)), written so that e^(…) never overflows.
fn sigmoid(z: f32) -> f32 {
  let e = exp(-abs(z));
  return select(e, 1.0, z >= 0.0) / (1.0 + e);
}

// tanh saturates to ±1 in float32 beyond |z| ≈ 9; some drivers compute tanh through e^(2z) and give NaN at
// |z| = 1000, so large |z| returns the sign.
fn safeTanh(z: f32) -> f32 {
  return select(tanh(z), sign(z), abs(z) > 15.0);
}

// softplus(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^(−|z|)), finite for every finite z.
fn softplus(z: f32) -> f32 {
  return max(z, 0.0) + log(1.0 + exp(-abs(z)));
}

fn activate(code: u32, z: f32) -> f32 {
  switch code {
    case ACTIVATION_SIGMOID: { return sigmoid(z); }
    case ACTIVATION_TANH: { return safeTanh(z); }
    case ACTIVATION_RELU: { return select(0.0, z, z > 0.0); }
    case ACTIVATION_LEAKY_RELU: { return select(LEAKY_RELU_SLOPE * z, z, z > 0.0); }
    default: { return z; } // linear; softmax is normalised per row by loss.wgsl
  }
}

// f'(z), in z alone (so it can be taken after dropout scaled the output).
fn activationDerivative(code: u32, z: f32) -> f32 {
  switch code {
    case ACTIVATION_SIGMOID: {
      let o = sigmoid(z);
      return o * (1.0 - o);
    }
    case ACTIVATION_TANH: {
      let o = safeTanh(z);
      return 1.0 - o * o;
    }
    case ACTIVATION_RELU: { return select(0.0, 1.0, z > 0.0); }
    case ACTIVATION_LEAKY_RELU: { return select(LEAKY_RELU_SLOPE, 1.0, z > 0.0); }
    default: { return 1.0; }
  }
}

// True unless x is NaN or ±Infinity (by the exponent bits: compilers may fold x != x away).
fn isFinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}
