// Library with one binding: the training or evaluation sums that loss.wgsl and per-example.wgsl add to,
// read back once per epoch (takeTrainingMetrics) or per evaluate(). Its binding number is above those of
// the kernels that include it.
//   metrics: read_write Metrics — sums since the last readback.

struct Metrics {
  lossSum: f32,
  // Kahan compensation of lossSum: an epoch adds thousands of batch sums in float32
  lossCompensation: f32,
  correct: u32,
  count: u32,
  nonFinite: u32,
}

@group(0) @binding(16) var<storage, read_write> metrics: Metrics;

// Kahan summation: lossCompensation carries the low-order bits float32 would drop.
fn addToMetrics(lossSum: f32, correct: u32, count: u32, nonFinite: u32) {
  let y = lossSum - metrics.lossCompensation;
  let t = metrics.lossSum + y;
  metrics.lossCompensation = (t - metrics.lossSum) - y;
  metrics.lossSum = t;
  metrics.correct += correct;
  metrics.count += count;
  metrics.nonFinite += nonFinite;
}
