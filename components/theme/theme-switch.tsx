'use client';

import { useSyncExternalStore } from 'react';
import { Select } from '~/components/ui';

export const THEMES = ['system', 'light', 'dark'] as const;
type Theme = (typeof THEMES)[number];
const KEY = 'drivelab-theme';

/**
 * Sets html[data-theme] before the first paint from the stored choice, so a light-theme user never
 * sees a dark flash; "system" leaves it unset and the CSS follows prefers-color-scheme.
 */
export const THEME_BOOT_SCRIPT = `try{var t=localStorage.getItem('${KEY}');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;

/** System / Light / Dark, remembered in this browser. */
// The stored choice is an outside store: read it with useSyncExternalStore so the server render
// (no localStorage) says "system" and the client takes the stored value after hydration.
const listeners = new Set<() => void>();
function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  window.addEventListener('storage', onChange);
  return () => {
    listeners.delete(onChange);
    window.removeEventListener('storage', onChange);
  };
}
function storedTheme(): Theme {
  const stored = localStorage.getItem(KEY);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

export function ThemeSwitch() {
  const theme = useSyncExternalStore(subscribe, storedTheme, (): Theme => 'system');
  const choose = (t: Theme) => {
    if (t === 'system') {
      localStorage.removeItem(KEY);
      delete document.documentElement.dataset.theme;
    } else {
      localStorage.setItem(KEY, t);
      document.documentElement.dataset.theme = t;
    }
    // 'storage' fires only in other tabs: tell this tab's switch itself.
    listeners.forEach((l) => l());
  };
  return (
    <Select
      width="2xs"
      className="h-sm"
      aria-label="Theme"
      data-testid="theme-switch"
      value={theme}
      onChange={(e) => choose(e.target.value as Theme)}
    >
      <option value="system">Auto</option>
      <option value="light">Light</option>
      <option value="dark">Dark</option>
    </Select>
  );
}
