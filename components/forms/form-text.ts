/**
 * The text a form field holds. `FormData.get` also returns File for file inputs and null for
 * missing fields; a text field's callers want '' in both cases rather than "[object File]".
 */
export function formText(data: FormData, name: string): string {
  const v = data.get(name);
  return typeof v === 'string' ? v : '';
}
