// examples/data.mjs — run with `npm run build && node examples/data.mjs` in this repository.
import { readFileSync } from 'node:fs';
import { loadFaces, parseCsv, parseList, syntheticFaceSplits } from 'webgpu-mlp';
import { folderFaceFiles } from 'webgpu-mlp/node'; // Node only: folders on disk

const { train, validation, test } = syntheticFaceSplits({ task: 'pose', seed: 1 }); // 288 / 141 / 211
console.log(train.count, validation.count, test.count, train.classNames); // 288 141 211 [ 'straight', … ]

const folder = '../shared/data/cmu-faces';
const paths = parseList(readFileSync(`${folder}/lists/all_train.list`, 'utf8'), 'all_train.list');
const faces = await loadFaces(folderFaceFiles(folder), { task: 'sunglasses', paths, pixelScale: '255' });
console.log(faces.count, faces.outputSize, faces.targets.slice(0, 2)); // 277 2 Float32Array [0.9, 0.1] (0.1/0.9 targets)

const iris = parseCsv('length,width,species\n5.1,3.5,setosa\n7.0,3.2,versicolor\n', 'iris.csv');
console.log(iris.classNames, iris.targets); // one-hot targets by default
