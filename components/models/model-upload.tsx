'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Alert, Button, Card, Field, Input, Select, Textarea } from '~/components/ui';

const TASKS = [
  { value: 'regression', label: 'Regression (the output is the prediction)' },
  { value: 'classification', label: 'Classification (class probabilities)' },
  { value: 'anomaly', label: 'Anomaly score (higher is more anomalous)' },
];

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Bring your own model: an .onnx file and its feature names (in the order of the model's input
 * columns) become the next version of a model, checked in ONNX Runtime by
 * POST /api/v1/models/upload; a model the check refuses shows why.
 */
export function ModelUpload({ org }: { org: string }) {
  const router = useRouter();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [task, setTask] = useState('regression');
  const [features, setFeatures] = useState('');
  const [labels, setLabels] = useState('');
  const [threshold, setThreshold] = useState('');
  const [output, setOutput] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    if (!file) {
      setError('Choose an .onnx file');
      return;
    }
    setBusy(true);
    setError(null);
    const options = {
      name: name.trim(),
      task,
      featureNames: list(features),
      ...(task === 'classification' && labels.trim() ? { labels: list(labels) } : {}),
      ...(threshold.trim() ? { threshold: Number(threshold) } : {}),
      ...(output.trim() ? { output: output.trim() } : {}),
    };
    const form = new FormData();
    form.set('file', file);
    form.set('options', JSON.stringify(options));
    try {
      const res = await fetch(`/api/v1/models/upload?org=${encodeURIComponent(org)}`, { method: 'POST', body: form });
      const body = (await res.json()) as {
        modelId?: string;
        error?: string;
        issues?: { path: string; message: string }[];
      };
      if (!res.ok)
        throw new Error(
          body.issues?.length && res.status !== 400
            ? `${body.error}: ${body.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`
            : (body.error ?? `upload failed (${res.status})`),
        );
      router.push(`/${org}/models/${body.modelId}`);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <Card title="Upload an ONNX model" data-testid="model-upload">
      <p className="muted text-sm mt-0">
        A model trained elsewhere (XGBoost, scikit-learn, PyTorch…) exported to ONNX with one float input of [batch,
        features]. It becomes the next version of the model and is served like a trained one. Up to 64 MiB.
      </p>
      {error && <Alert>{error}</Alert>}
      <div className="form-row">
        <Field label="ONNX file" className="grow min-w-md">
          <Input type="file" accept=".onnx" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </Field>
        <Field label="Model name" className="grow min-w-sm">
          <Input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. maintenance_predictor" />
        </Field>
        <Field label="Task">
          <Select value={task} onChange={(e) => setTask(e.target.value)} options={TASKS} />
        </Field>
      </div>
      <div className="form-row mt-3">
        <Field label="Feature names, in the input's column order (comma or space separated)" className="grow">
          <Textarea value={features} onChange={(e) => setFeatures(e.target.value)} rows={2} />
        </Field>
      </div>
      <div className="form-row mt-3">
        {task === 'classification' && (
          <Field label="Class labels (optional)" className="grow">
            <Input value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="normal, fault" />
          </Field>
        )}
        <Field label="Threshold (optional)">
          <Input width="xs" inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} />
        </Field>
        <Field label="Score output (default: the first)">
          <Input width="sm" value={output} onChange={(e) => setOutput(e.target.value)} placeholder="variable" />
        </Field>
        <div className="field self-end">
          <Button onClick={() => void submit()} disabled={busy}>
            {busy ? 'Checking…' : 'Upload'}
          </Button>
        </div>
      </div>
    </Card>
  );
}
