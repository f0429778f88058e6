import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'tuneforge-theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

const ThemeContext = createContext<{ theme: Theme; choice: ThemeChoice; choose: (choice: ThemeChoice) => void }>({
  theme: 'light',
  choice: 'system',
  choose: () => undefined,
});

/** Light or dark: the system's (prefers-color-scheme) unless the toggle chose one, remembered in localStorage; set as <html data-theme>. */
export function ThemeProvider({ children }: { children: ReactNode }) {
  const [choice, setChoice] = useState<ThemeChoice>(() => {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  });
  const [systemDark, setSystemDark] = useState(() => window.matchMedia(DARK_QUERY).matches);
  useEffect(() => {
    const media = window.matchMedia(DARK_QUERY);
    const onChange = () => setSystemDark(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  const theme: Theme = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const value = useMemo(
    () => ({
      theme,
      choice,
      choose: (next: ThemeChoice) => {
        if (next === 'system') window.localStorage.removeItem(STORAGE_KEY);
        else window.localStorage.setItem(STORAGE_KEY, next);
        setChoice(next);
      },
    }),
    [theme, choice],
  );
  return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>;
}

export function useTheme(): Theme {
  return useContext(ThemeContext).theme;
}

/** The nav's toggle: system, light, dark. */
export function ThemeToggle() {
  const { choice, choose } = useContext(ThemeContext);
  return (
    <label className="theme-toggle">
      <span className="visually-hidden">Theme</span>
      <select value={choice} onChange={(e) => choose(e.target.value as ThemeChoice)} data-testid="theme-toggle" aria-label="Theme">
        <option value="system">system theme</option>
        <option value="light">light</option>
        <option value="dark">dark</option>
      </select>
    </label>
  );
}
