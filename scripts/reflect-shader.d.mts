import type { ShaderReflection } from '../src/shaders.gen.js';

export function reflectShader(file: string, source: string): ShaderReflection;
