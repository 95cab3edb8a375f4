/**
 * Saves a blob as a file through a temporary object URL and link: the browser's own download,
 * for files the page already holds (exports fetched through tRPC, not plain links).
 */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  a.click();
  URL.revokeObjectURL(url);
}
