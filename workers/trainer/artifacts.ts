import * as tf from '@tensorflow/tfjs';

/**
 * The trained tfjs model as one JSON document (topology, weight specs, weights inlined as
 * base64), so it is one object-store file that tf.loadLayersModel can read back through
 * tf.io.fromMemory.
 */
export interface TfjsArtifact {
  format: 'drivelab.tfjs-layers.v1';
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: string;
}

export async function serialiseTfjs(model: tf.LayersModel): Promise<TfjsArtifact> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved as tf.io.ModelArtifacts | null;
  if (!a?.weightData || !a.weightSpecs) throw new Error('tfjs save produced no weights');
  const data = Array.isArray(a.weightData)
    ? Buffer.concat(a.weightData.map((b) => Buffer.from(b)))
    : Buffer.from(a.weightData);
  return {
    format: 'drivelab.tfjs-layers.v1',
    modelTopology: a.modelTopology,
    weightSpecs: a.weightSpecs,
    weightData: data.toString('base64'),
  };
}

export async function loadTfjs(artifact: TfjsArtifact): Promise<tf.LayersModel> {
  const bytes = Buffer.from(artifact.weightData, 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: artifact.modelTopology as object,
      weightSpecs: artifact.weightSpecs,
      weightData,
    }),
  );
}
