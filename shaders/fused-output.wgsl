// Library (no bindings, no entry points): the output layer of one row for the fused kernels
// (per-example.wgsl, mini-batch.wgsl), in loss.wgsl's formulas, and their hidden layers' activation. Needs
// activation.wgsl, and from the including file: `datasetTargets`, the workgroup array `z`, the accessors
// outputAt(index) and setOutputAt(index, value) of the outputs o, which each kernel keeps in its own array,
// and setOutputDelta(deltaBase, k, value) of the output layer's δ, which each kernel lays out its own way.
// Overrides: loss (kernels.ts lossCodes), outputActivation (the output layer's activation code),
// outputCount (its units), hiddenActivation (the code every hidden layer has, or MIXED_ACTIVATIONS):
// override constants rather than values read at run time, so that a pipeline holds only its network's
// loss, softmax and activation functions (SwiftShader compiles every branch: the three losses made this
// library a sixth of each kernel), and the kernels read no table row for the output layer.
//   softmax   o_k = exp(z_k − max z) / Σ exp(z − max z)            (when the output activation is softmax)
//   loss      squared error ½Σ(t − o)²; binary cross-entropy Σ softplus(z) − t·z; softmax cross-entropy
//             Σ t·(logΣexp z − z_k)
//   correct   argmax o = argmax t (both sides of 0.5 for one output)
//   δ_k       squared error (o − t)·f′(z); binary cross-entropy o − t; softmax cross-entropy o·Σt − t
// Conditions combine with & and |, not && and ||, and functions return once (fewer branches: see
// per-example.wgsl).

const LOSS_SQUARED_ERROR: u32 = 0u;
const LOSS_BINARY_CROSS_ENTROPY: u32 = 1u;

// hiddenActivation of a network whose hidden layers differ: each layer's code is read at run time
const MIXED_ACTIVATIONS: u32 = 6u;

override loss: u32 = 0u;
override outputActivation: u32 = 0u;
override outputCount: u32 = 1u;
override hiddenActivation: u32 = MIXED_ACTIVATIONS;

// A hidden layer's activation code, given the one in the network table: hiddenActivation where every hidden
// layer has it, a constant, so that activate() and activationDerivative() keep only its case.
fn hiddenActivationOf(tableCode: u32) -> u32 {
  return select(hiddenActivation, tableCode, hiddenActivation == MIXED_ACTIVATIONS);
}

struct Outcome {
  loss: f32,
  correct: u32,
  finite: bool,
}

// Softmax (for a softmax output layer) into the outputs at oBase, then the row's loss, class check and
// finiteness, and its δ times deltaScale through setOutputDelta(deltaBase, k, …): z at zBase, targets at
// targetBase, `units` outputs. One loop reads each output and target once for all of them.
fn scoreOutputs(
  zBase: u32,
  oBase: u32,
  targetBase: u32,
  units: u32,
  deltaBase: u32,
  deltaScale: f32,
) -> Outcome {
  var logSumExp = 0.0;
  // Σ t, for the softmax cross-entropy δ (a softmax output layer comes with that loss: validate.ts)
  var targetSum = 0.0;
  if (outputActivation == ACTIVATION_SOFTMAX) {
    var largest = z[zBase];
    for (var k = 1u; k < units; k++) {
      largest = max(largest, z[zBase + k]);
    }
    var sum = 0.0;
    for (var k = 0u; k < units; k++) {
      sum += exp(z[zBase + k] - largest);
      targetSum += datasetTargets[targetBase + k];
    }
    for (var k = 0u; k < units; k++) {
      setOutputAt(oBase + k, exp(z[zBase + k] - largest) / sum);
    }
    logSumExp = largest + log(sum);
  }
  var outcome = Outcome(0.0, 0u, true);
  // the first largest output and target and where they are, kept rather than read again: each load at an
  // index known only at run time is compiled as a gather on CPU adapters
  var predicted = 0u;
  var actual = 0u;
  var largestO = 0.0;
  var largestT = 0.0;
  for (var k = 0u; k < units; k++) {
    let t = datasetTargets[targetBase + k];
    let o = outputAt(oBase + k);
    outcome.finite = outcome.finite & isFinite(o);
    var d = o * targetSum - t; // softmax cross-entropy
    if (loss == LOSS_SQUARED_ERROR) {
      outcome.loss += 0.5 * (t - o) * (t - o);
      d = (o - t) * activationDerivative(outputActivation, z[zBase + k]);
    } else if (loss == LOSS_BINARY_CROSS_ENTROPY) {
      outcome.loss += softplus(z[zBase + k]) - t * z[zBase + k];
      d = o - t;
    } else {
      outcome.loss += t * (logSumExp - z[zBase + k]);
    }
    setOutputDelta(deltaBase, k, d * deltaScale);
    let higherO = (k == 0u) | (o > largestO);
    predicted = select(predicted, k, higherO);
    largestO = select(largestO, o, higherO);
    let higherT = (k == 0u) | (t > largestT);
    actual = select(actual, k, higherT);
    largestT = select(largestT, t, higherT);
  }
  if (units == 1u) {
    // largestO and largestT are then the one output and target
    predicted = select(0u, 1u, largestO >= 0.5);
    actual = select(0u, 1u, largestT >= 0.5);
  }
  outcome.correct = select(0u, 1u, predicted == actual);
  outcome.finite = outcome.finite & isFinite(outcome.loss);
  return outcome;
}
