/**
 * WebGPU in Node through the `webgpu` npm package (Dawn bindings) and `@tensorflow/tfjs-backend-webgpu`
 * (reference `tfjs-in-node.md` §6).
 *
 * Order matters: Dawn's globals go onto `globalThis` and `navigator.gpu` must exist before the tfjs backend is
 * imported, because it registers itself only if it finds `navigator.gpu` at import time (its `dist/base.js`).
 * Upstream support is an open request: tensorflow/tfjs#8546, PR #7595.
 */
import { firstLine, importOptional } from './optional-packages.js';

/** The slice of the WebGPU API used here (the full types are not a dependency). */
interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; device?: string };
}

/** CPU rasterisers Dawn can run on: functional, but slower than wasm for training (§6.3: 0.7 GFLOP/s). */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|softpipe/i;

/** What `setUpWebGpu` found: why WebGPU cannot be used, or the adapter it will run on. */
export type WebGpuSetUp = { skip: string } | { adapter: string };

/**
 * Sets up `navigator.gpu` and imports the tfjs WebGPU backend, which then registers 'webgpu'.
 *
 * @param allowSoftware Accept a CPU-emulated adapter, and try Dawn's OpenGL ES backend in compatibility mode
 *   when Vulkan finds none (that is how CI without a GPU runs it, §6.3). Only an explicit `webgpu` choice does.
 */
export async function setUpWebGpu(allowSoftware: boolean): Promise<WebGpuSetUp> {
  const dawn = await importOptional('webgpu');
  const create = dawn.create as (options: string[]) => GpuLike;
  Object.assign(globalThis, dawn.globals as object);

  let gpu = create([]);
  let adapter = await gpu.requestAdapter();
  if (adapter === null && allowSoftware) {
    process.env.EGL_PLATFORM ??= 'surfaceless'; // Dawn's GLES backend needs EGL without a display
    gpu = compatibilityMode(create(['backend=opengles']));
    adapter = await gpu.requestAdapter();
  }
  if (adapter === null) {
    return {
      skip:
        'Dawn found no GPU adapter (Vulkan needs libvulkan1 and a GPU driver; in a container on NVIDIA, ' +
        'NVIDIA_DRIVER_CAPABILITIES must include graphics)',
    };
  }
  const name = describe(adapter);
  const software = SOFTWARE_ADAPTER.test(name);
  if (software && !allowSoftware) {
    const why = `the only GPU adapter is a software renderer (${name}), slower than wasm`;
    return { skip: `${why}; choose 'webgpu' explicitly to use it` };
  }

  // Node 21+ defines a read-only `navigator` getter; a data property replaces it.
  const navigator = { ...((globalThis as { navigator?: object }).navigator ?? {}), gpu };
  Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
  try {
    await importOptional('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    return { skip: `@tensorflow/tfjs-backend-webgpu failed to load: ${firstLine(error)}` };
  }
  return { adapter: software ? `${name}: a software renderer, slower than wasm` : name };
}

/** tfjs requests its adapter itself; this makes every request ask for a compatibility-mode adapter. */
function compatibilityMode(gpu: GpuLike): GpuLike {
  const request = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = (options = {}) => request({ ...options, featureLevel: 'compatibility' });
  return gpu;
}

function describe(adapter: AdapterLike): string {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
}
