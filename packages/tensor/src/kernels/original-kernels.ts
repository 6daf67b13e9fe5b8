/**
 * The tfjs kernels detlab's fixes replaced, so that a fix can delegate the cases it does not speed up to the
 * original, and `unregisterKernelFixes` can put the originals back.
 *
 * Kept on `globalThis` like tfjs's own kernel registry, so that two copies of this module (a bundle next to the
 * package, vitest's per-file module graphs) share it.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

const originals: Map<string, KernelConfig> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('detlab.replacedKernels.v2')
] ??= new Map<string, KernelConfig>()) as Map<string, KernelConfig>;

const key = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

/** Remembers `config` as the original of its kernel. */
export function rememberOriginal(config: KernelConfig): void {
  originals.set(key(config.kernelName, config.backendName), config);
}

/** Forgets and returns the original of a kernel, if one was remembered. */
export function takeOriginal(kernelName: string, backendName: string): KernelConfig | undefined {
  const config = originals.get(key(kernelName, backendName));
  originals.delete(key(kernelName, backendName));
  return config;
}

/** The tfjs kernel a fix replaced; throws when the fix was registered where tfjs has none. */
export function originalKernel(kernelName: string, backendName: string): KernelConfig {
  const config = originals.get(key(kernelName, backendName));
  if (config === undefined) throw new Error(`No original ${backendName} kernel '${kernelName}' was recorded: call registerKernelFixes() after importing the backend.`);
  return config;
}

/** Runs the original kernel (the fix's fallback for the cases it leaves to tfjs). */
export function runOriginal(
  kernelName: string,
  backendName: string,
  args: { inputs: NamedTensorInfoMap; attrs?: NamedAttrMap; backend: unknown },
): TensorInfo | TensorInfo[] {
  return (originalKernel(kernelName, backendName).kernelFunc as KernelFunc)(args as Parameters<KernelFunc>[0]);
}

/**
 * A fix that replaces an existing kernel also takes over its set-up: tfjs runs the set-up functions of the
 * kernels registered when a backend initialises (for wasm: binding the C++ function), and the original is not
 * registered then.
 */
export function setUpOriginal(kernelName: string, backendName: string): (backend: object) => void {
  return (backend) => {
    const setup = originals.get(key(kernelName, backendName))?.setupFunc;
    setup?.(backend as Parameters<NonNullable<KernelConfig['setupFunc']>>[0]);
  };
}
