import { api, unwrap, type Schemas } from '../../api/client';
import { useI18n } from '../../i18n/I18n';
import { Modal } from '../../components/Modal';
import { NoteForm } from './NoteForm';

/**
 * Putting back a listing a moderator hid, from its resolved report (moderation area) or from
 * the listing's own page: the same confirmation with its required note, open while `listing`
 * is set. `onDone` gets the API's answer (the listing with the status it went back to).
 */
export function UnhideDialog({
  listing,
  onClose,
  onDone,
}: {
  listing: { id: string; title: string } | null;
  onClose: () => void;
  onDone: (result: Schemas['ModeratedListing']) => void;
}) {
  const { t } = useI18n();
  const action = t('moderation.action.unhide_listing');
  return (
    <Modal open={listing !== null} onClose={onClose} title={listing ? t('moderation.actionOn', { action, title: listing.title }) : ''} testId="unhide-dialog">
      {listing && (
        <NoteForm
          explain={t('moderation.explain.unhide_listing')}
          hint="moderation.noteHint"
          submitLabel={t('moderation.confirm', { action })}
          send={(note) => unwrap(api.POST('/api/v1/moderation/listings/{id}/unhide', { params: { path: { id: listing.id } }, body: { note } }))}
          onCancel={onClose}
          onDone={onDone}
        />
      )}
    </Modal>
  );
}
