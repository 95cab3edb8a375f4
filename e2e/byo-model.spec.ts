import { expect, test } from '@playwright/test';
import { DEMO } from '../prisma/seed';
import { linearOnnx } from '../scripts/fixtures/byo-onnx';
import { open, signInAsDemo } from './helpers';

/**
 * Bring your own model in the portal: an .onnx file whose input is narrower than the declared
 * features is refused with the reason; the right feature list registers it and opens its page.
 */
test('an ONNX model uploaded in the portal becomes a version; a mismatched one is refused with why', async ({
  page,
}) => {
  const name = `byo-${Date.now().toString(36)}`;
  await signInAsDemo(page, DEMO.user);
  await open(page, `/${DEMO.org.slug}/models`);
  const form = page.getByTestId('model-upload');
  await form.getByLabel('ONNX file').setInputFiles({
    name: 'model.onnx',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(linearOnnx([0.5, -2, 0.1], 3)),
  });
  await form.getByLabel('Model name').fill(name);
  await form.getByLabel(/Feature names/).fill('engine_temp, vibration');
  await form.getByRole('button', { name: 'Upload' }).click();
  await expect(form.getByRole('alert')).toContainText('takes 3 features but 2 feature names were declared');

  await form.getByLabel(/Feature names/).fill('engine_temp, vibration, speed');
  await form.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByTestId('model-name')).toHaveText(name);
  await expect(page.getByTestId('version-table').locator('tbody tr')).toHaveCount(1);
});
