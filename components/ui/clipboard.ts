/**
 * Copies text to the clipboard where the browser allows it. `navigator.clipboard` is typed as
 * always present, but browsers leave it out outside secure contexts (plain http to a LAN
 * address), where the shown text can still be selected by hand.
 */
export function copyText(text: string): void {
  const clipboard = (navigator as Partial<Navigator>).clipboard;
  if (clipboard) void clipboard.writeText(text).catch(() => undefined);
}
