import { parentPort } from 'node:worker_threads';
import { decodePacked } from './decode-batch';
import type { DecodeRequest, DecodeResponse } from './decode-pool';

/** Entry of a decode thread (decode-pool.ts): packed message values in, decoded batches out. */
parentPort!.on('message', (req: DecodeRequest) => {
  let res: DecodeResponse;
  try {
    const batch = decodePacked(req.packed);
    res = { id: req.id, batch };
    parentPort!.postMessage(res, [batch.data.buffer, batch.idOf.buffer] as ArrayBuffer[]);
  } catch (err) {
    res = { id: req.id, error: (err as Error).message };
    parentPort!.postMessage(res);
  }
});
