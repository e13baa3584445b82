// Vitest set-up for every test file. Component tests (`*.test.tsx`, jsdom) start each test from
// an empty page, an empty localStorage and the real `fetch`.
import { afterEach, vi } from 'vitest';

if (typeof document !== 'undefined') {
  // findBy*/waitFor give up after 1 s by default: too short when the machine is busy.
  const { configure } = await import('@testing-library/react');
  configure({ asyncUtilTimeout: 10_000 });
}

// jsdom has <dialog> without its methods: open and close it by its `open` attribute (the
// browser tests check the real modal behaviour: inert page, Escape, focus).
if (typeof HTMLDialogElement !== 'undefined' && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    if (!this.hasAttribute('open')) return;
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
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
