// Face files picked in a browser (an <input type="file" webkitdirectory> or a drop): File objects.

import { MlpError } from '../errors.js';
import type { FaceFiles } from './faces.js';

/** The path of a picked file below the folder the user picked ("faces/an2i/x.pgm" → "an2i/x.pgm"). */
function pathBelowPickedFolder(file: File): string {
  const relativePath = file.webkitRelativePath || file.name;
  const slash = relativePath.indexOf('/');
  return slash >= 0 && file.webkitRelativePath ? relativePath.slice(slash + 1) : relativePath;
}

/**
 * Face files from File objects. A list's path is looked up as given, then by its file name alone
 * (CMU file names are unique), so a list works whichever folder level the user picked.
 */
export function pickedFaceFiles(files: Iterable<File>, name = 'the picked files'): FaceFiles {
  const byPath = new Map<string, File>();
  const byName = new Map<string, File>();
  for (const file of files) {
    byPath.set(pathBelowPickedFolder(file), file);
    byName.set(file.name, file);
  }
  return {
    name,
    async read(path) {
      const file = byPath.get(path) ?? byName.get(path.slice(path.lastIndexOf('/') + 1));
      if (!file) throw new MlpError('invalid-file', `${name}: ${path} is not among the picked files`);
      return new Uint8Array(await file.arrayBuffer());
    },
    async listImages() {
      return [...byPath.keys()].filter((path) => path.endsWith('.pgm')).sort();
    },
  };
}
