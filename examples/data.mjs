// examples/data.mjs — run with `npm run build && node examples/data.mjs [faces folder]` in this repository.
// The CMU faces are not in the repository: docs/data.md says where to download them. (.ci/run runs it;
// test/docs/pages.test.ts keeps it in docs/data.md.)
import { existsSync } from 'node:fs';
import { loadFaces, parseCsv, syntheticFaceSplits } from 'webgpu-mlp';
import { folderFaceFiles } from 'webgpu-mlp/node'; // Node only: folders on disk

const { train, validation, test } = syntheticFaceSplits({ task: 'pose', seed: 1 }); // 288 / 141 / 211
console.log(train.count, validation.count, test.count, train.classNames); // 288 141 211 [ 'straight', … ]

const iris = parseCsv('length,width,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n', 'iris.csv');
console.log(iris.classNames, iris.targets); // one-hot targets by default

const folder = process.argv[2] ?? '../shared/data/cmu-faces'; // e.g. the faces/ folder of the UCI archive
if (!existsSync(folder)) {
  console.error(
    `examples/data.mjs: no CMU faces at ${folder}. Download "CMU Face Images" (Mitchell, 1997) from ` +
      'https://archive.ics.uci.edu/ml/datasets/cmu+face+images, unpack it and give its faces/ folder: ' +
      'node examples/data.mjs path/to/faces',
  );
  process.exit(1);
}
const faces = await loadFaces(folderFaceFiles(folder), { task: 'sunglasses', pixelScale: '255' });
console.log(faces.count, faces.outputSize, faces.targets.slice(0, 2)); // 624 2 Float32Array [0.9, 0.1] (0.1/0.9 targets)
