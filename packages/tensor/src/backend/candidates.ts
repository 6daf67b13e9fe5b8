/**
 * The TensorFlow.js backends detlab can run on, in the order `auto` tries them, with the packages each needs
 * and how to install them.
 *
 * Facts behind the order and the hints: reference `tfjs-in-node.md` §1–2 and §6. tfjs-node(-gpu) installs
 * download libtensorflow 2.9.1 from Google storage, which answers 403 (tensorflow/tfjs#8742); the GPU build
 * needs CUDA 11.2 + cuDNN 8.1. WebGPU needs the `webgpu` package's prebuilt Dawn binary and a GPU adapter.
 */
import { setUpWebGpu } from './webgpu.js';
import { importOptional } from './optional-packages.js';

/** A backend a user can ask for; `auto` picks the fastest that loads. */
export type BackendChoice = 'auto' | 'wasm' | 'webgpu' | 'tensorflow' | 'tensorflow-gpu' | 'cpu';

/** Every accepted `BackendChoice`, for validation and messages. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'webgpu', 'tensorflow', 'tensorflow-gpu', 'cpu'];

/** One backend: what it is called in tfjs, what it needs, and how to set it up. */
export interface BackendCandidate {
  choice: Exclude<BackendChoice, 'auto'>;
  /** The name tfjs registers it under (tfjs-node and tfjs-node-gpu both register 'tensorflow'). */
  tfjsName: string;
  /** Optional packages that must be installed, each with why it is optional. */
  packages: ReadonlyArray<{ name: string; note: string }>;
  /** Imports and prepares the backend: why it cannot be used, or what it runs on (for the log). May throw. */
  load(explicit: boolean): Promise<{ skip?: string; detail?: string }>;
  /** The fix, for the error an explicit choice throws. */
  hint: string;
}

const LIBTENSORFLOW = 'optional; its install downloads libtensorflow';
const TFJS_NODE_HINT =
  'Its install script downloads libtensorflow 2.9.1 from Google storage, which currently fails (HTTP 403, ' +
  'tensorflow/tfjs#8742) unless TFJS_NODE_CDN_STORAGE points at a mirror. Or use backend \'auto\' or \'wasm\'.';

/** The candidates in the order `auto` tries them; `cpu` is never picked by `auto`. */
export const BACKEND_CANDIDATES: readonly BackendCandidate[] = [
  {
    choice: 'tensorflow-gpu',
    tfjsName: 'tensorflow',
    packages: [{ name: '@tensorflow/tfjs-node-gpu', note: LIBTENSORFLOW }],
    load: async () => {
      await importOptional('@tensorflow/tfjs-node-gpu'); // registers 'tensorflow'; throws without libtensorflow
      return {};
    },
    hint: `Install it with \`npm install @tensorflow/tfjs-node-gpu@4.22.0\` (needs CUDA 11.2 and cuDNN 8.1). ${TFJS_NODE_HINT}`,
  },
  {
    choice: 'tensorflow',
    tfjsName: 'tensorflow',
    packages: [{ name: '@tensorflow/tfjs-node', note: LIBTENSORFLOW }],
    load: async () => {
      await importOptional('@tensorflow/tfjs-node'); // registers 'tensorflow'; throws without libtensorflow
      return {};
    },
    hint: `Install it with \`npm install @tensorflow/tfjs-node@4.22.0\`. ${TFJS_NODE_HINT}`,
  },
  {
    choice: 'webgpu',
    tfjsName: 'webgpu',
    packages: [
      { name: 'webgpu', note: 'optional; ships prebuilt Dawn binaries' },
      { name: '@tensorflow/tfjs-backend-webgpu', note: 'optional' },
    ],
    load: async (explicit) => {
      const found = await setUpWebGpu(explicit);
      return 'skip' in found ? { skip: found.skip } : { detail: found.adapter };
    },
    hint:
      'Install both with `npm install webgpu @tensorflow/tfjs-backend-webgpu@4.22.0` (nothing is downloaded at ' +
      'install time) and make a GPU visible to Vulkan. Or use backend \'auto\' or \'wasm\'.',
  },
  {
    choice: 'wasm',
    tfjsName: 'wasm',
    packages: [],
    // Registered on import; `requestWasmThreads` picks the build (wasm-threads.ts).
    load: async () => ({ detail: 'XNNPACK' }),
    hint: 'It is a dependency of @detlab/tensor: reinstall with `npm ci`. Or use backend \'cpu\' (about 200× slower).',
  },
  {
    choice: 'cpu',
    tfjsName: 'cpu',
    packages: [],
    load: async () => ({ detail: 'plain JavaScript kernels, about 200× slower than wasm for conv training' }),
    hint: 'It is a dependency of @detlab/tensor: reinstall with `npm ci`.',
  },
];

/** The candidate for an explicit choice. */
export function candidateFor(choice: Exclude<BackendChoice, 'auto'>): BackendCandidate {
  const found = BACKEND_CANDIDATES.find((c) => c.choice === choice);
  if (found === undefined) throw new Error(`No backend candidate '${choice}'.`); // unreachable: the list is complete
  return found;
}
