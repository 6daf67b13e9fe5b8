/** A worker entry for tests: answers with its workerData and the type of a decorated class, then exits. */
import { parentPort, workerData } from 'node:worker_threads';
import { describeValue } from '@detlab/core';

parentPort!.postMessage(`hello ${describeValue(workerData)}`);
