/**
 * The two routes the wasm backend's convolutions can take: wasm's own kernels, and oneDNN when its addon is
 * built. Kernel tests run once per route, so that the fallback stays tested on a machine with oneDNN.
 */
import { loadOneDnn } from '@detlab/onednn';
import { useOneDnn } from '../onednn-conv.js';

export type ConvRoute = 'wasm kernels' | 'oneDNN';

/** Every route this machine has: oneDNN only where the addon loads (CI requires it: DETLAB_ONEDNN=require). */
export const CONV_ROUTES: readonly ConvRoute[] = loadOneDnn().ok ? ['wasm kernels', 'oneDNN'] : ['wasm kernels'];

/** Sends the convolutions of this thread down `route`, on one oneDNN thread. */
export function useConvRoute(route: ConvRoute): void {
  const status = useOneDnn(route === 'oneDNN', 1);
  if (route === 'oneDNN' && !status.active) throw new Error(`oneDNN route asked for, but ${status.reason}`);
}
