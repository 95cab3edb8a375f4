import { TRPCError } from '@trpc/server';
import { DatasetInputError } from '../../training/datasets';
import { TrainingInputError } from '../../training/jobs';
import { ScheduleInputError } from '../../training/schedules';
import { UploadError } from '../../training/upload-dataset';

/** Input problems of the training domain as tRPC errors: "… not found" is NOT_FOUND, the rest BAD_REQUEST. */
export async function asTrpc<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (
      err instanceof DatasetInputError ||
      err instanceof TrainingInputError ||
      err instanceof ScheduleInputError ||
      err instanceof UploadError
    ) {
      throw new TRPCError({
        code: /not found$/i.test(err.message) ? 'NOT_FOUND' : 'BAD_REQUEST',
        message: err.message,
      });
    }
    throw err;
  }
}
