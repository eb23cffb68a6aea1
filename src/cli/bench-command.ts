// `webgpu-mlp bench`: the benchmark of our engines (the bench helper's src/bench), from the command line.
