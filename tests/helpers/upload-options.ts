import type { parseUpload } from '~/server/training/upload-dataset';

/**
 * Upload options of an unlabelled table grouped by vehicle, for tests that feed parseUpload
 * arbitrary bytes: the options are not what they probe, so any valid set does.
 */
export const unlabelledUploadOptions = {
  name: 'x',
  format: 'auto',
  groupColumn: 'vehicle',
  groupKind: 'vehicle',
  label: { type: 'none' },
} as unknown as Parameters<typeof parseUpload>[1];
