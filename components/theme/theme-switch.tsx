'use client';

import { useEffect, useState } from 'react';
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
export function ThemeSwitch() {
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    const stored = localStorage.getItem(KEY);
    if (stored === 'light' || stored === 'dark') setTheme(stored);
  }, []);
  const choose = (t: Theme) => {
    setTheme(t);
    if (t === 'system') {
      localStorage.removeItem(KEY);
      delete document.documentElement.dataset.theme;
    } else {
      localStorage.setItem(KEY, t);
      document.documentElement.dataset.theme = t;
    }
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
