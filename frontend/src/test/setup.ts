// Vitest set-up for every test file. Component tests (`*.test.tsx`, jsdom) start each test from
// an empty page, an empty localStorage and the real `fetch`.
import { afterEach, vi } from 'vitest';

if (typeof document !== 'undefined') {
  // findBy*/waitFor give up after 1 s by default: too short when the machine is busy.
  const { configure } = await import('@testing-library/react');
  configure({ asyncUtilTimeout: 10_000 });
}

afterEach(async () => {
  if (typeof document !== 'undefined') {
    const { cleanup } = await import('@testing-library/react');
    cleanup();
    localStorage.clear();
  }
  vi.unstubAllGlobals();
  const { setSession } = await import('../api/client');
  setSession(null);
});
