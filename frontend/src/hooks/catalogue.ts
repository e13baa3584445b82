import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import type { Lang } from '../i18n/lang';

export type CategoryNode = Schemas['CategoryNode'];

export function useCategories() {
  return useQuery({
    queryKey: ['categories'],
    queryFn: () => unwrap(api.GET('/api/v1/categories')),
    staleTime: 5 * 60_000,
  });
}

export function categoryName(c: { name_fr: string; name_en: string }, lang: Lang): string {
  return lang === 'fr' ? c.name_fr : c.name_en;
}

/** The tree as a flat list with depths, for a <select>. */
export function flattenCategories(nodes: readonly CategoryNode[], depth = 0): { node: CategoryNode; depth: number }[] {
  return nodes.flatMap((node) => [{ node, depth }, ...flattenCategories(node.children, depth + 1)]);
}

export function findCategory(nodes: readonly CategoryNode[], slug: string): CategoryNode | undefined {
  for (const n of nodes) {
    if (n.slug === slug) return n;
    const found = findCategory(n.children, slug);
    if (found) return found;
  }
  return undefined;
}

export function usePageTitle(title: string | undefined) {
  if (typeof document !== 'undefined' && title) document.title = `${title} — Hangar`;
}
