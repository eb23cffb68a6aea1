// Library (no bindings, no entry points): the counter-based hash behind dropout, the same integer
// arithmetic as src/model/random.ts hash32 and dropoutUniform, so both backends draw identical masks.
//
// dropoutUniform(seed, step, layer, row, unit) = (h >> 8) / 2^24 with
//   h = hash32(unit + hash32(row + hash32(layer + hash32(step + hash32(seed)))))   (all u32, wrapping)
// A unit is kept when that number is ≥ the rate, i.e. when (h >> 8) ≥ ceil(rate · 2^24): the threshold is
// computed once on the CPU in float64, so the comparison is exact integer arithmetic here.

// PCG-RXS-M-XS 32-bit hash (O'Neill).
fn hash32(value: u32) -> u32 {
  let state = value * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn dropoutKeeps(seed: u32, step: u32, layer: u32, row: u32, unit: u32, threshold: u32) -> bool {
  let h = hash32(unit + hash32(row + hash32(layer + hash32(step + hash32(seed)))));
  return (h >> 8u) >= threshold;
}
