import { en, fr, type MessageKey } from './messages';

export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];
export const STORAGE_KEY = 'hangar.lang';

const dictionaries: Record<Lang, Record<MessageKey, string>> = { fr, en };

/** The remembered choice, else the browser's first supported language, else French. */
export function pickLanguage(stored: string | null, browser: readonly string[]): Lang {
  if (stored === 'fr' || stored === 'en') return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'fr' || base === 'en') return base;
  }
  return 'fr';
}

/** `{name}` placeholders replaced by `vars`. */
export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = dictionaries[lang][key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** BCP 47 locale used by Intl for a language. */
export function intlLocale(lang: Lang): string {
  return lang === 'fr' ? 'fr-FR' : 'en-GB';
}
