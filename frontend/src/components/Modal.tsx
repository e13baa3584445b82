import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the browser's own `<dialog>`: `showModal()` makes the rest of the page
 * inert (focus stays inside), Escape closes it (its `cancel` event), it is named by its
 * heading (`aria-labelledby`), and focus goes back to what had it before on closing.
 * Rendered only while `open`, so a dialog starts afresh each time.
 */
export function Modal({
  open,
  onClose,
  title,
  children,
  testId,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const id = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d || !open) return;
    opener.current = document.activeElement;
    if (!d.open) d.showModal();
    return () => {
      if (d.open) d.close();
      const back = opener.current;
      if (back instanceof HTMLElement && back.isConnected) back.focus();
    };
  }, [open]);

  if (!open) return null;
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={`${id}-title`}
      data-testid={testId}
      onCancel={(e) => {
        // Escape: closed through the state, like every other way out.
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </dialog>
  );
}
