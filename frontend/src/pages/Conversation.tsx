import { useEffect, useId, useRef, useState } from 'react';
import { Link, Navigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { ApiError, fieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { formatDateTime } from '../i18n/format';
import { usePageTitle } from '../hooks/catalogue';
import { INBOX_KEY } from '../hooks/messages';
import { UNREAD_KEY } from '../hooks/notifications';
import { ErrorBox, Loading } from '../components/Status';
import { MAX_MESSAGE, SendError } from '../components/ContactSeller';

type Message = Schemas['Message'];

/** Every message of a conversation, oldest first (pages of 100, newer pages follow). */
async function allMessages(id: string): Promise<Message[]> {
  const out: Message[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await unwrap(
      api.GET('/api/v1/conversations/{id}/messages', { params: { path: { id }, query: { limit: 100, cursor } } }),
    );
    out.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

/** One conversation: its messages, a reply box, mark read on opening, block / unblock. */
export default function Conversation() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const { user } = useAuth();
  const queryClient = useQueryClient();
  const formId = useId();
  const [body, setBody] = useState('');
  const [confirmBlock, setConfirmBlock] = useState(false);
  const [sent, setSent] = useState(false);
  const boxRef = useRef<HTMLTextAreaElement>(null);

  const conv = useQuery({
    queryKey: ['conversation', id],
    queryFn: () => unwrap(api.GET('/api/v1/conversations/{id}', { params: { path: { id } } })),
    enabled: !!user,
  });
  const messages = useQuery({
    queryKey: ['conversation', id, 'messages'],
    queryFn: () => allMessages(id),
    enabled: !!user,
    refetchInterval: 30_000,
  });
  usePageTitle(conv.data ? t('messages.threadTitle', { title: conv.data.listing_title }) : t('messages.title'));

  const refreshLists = () => {
    void queryClient.invalidateQueries({ queryKey: INBOX_KEY });
    void queryClient.invalidateQueries({ queryKey: UNREAD_KEY });
    void queryClient.invalidateQueries({ queryKey: ['me', 'notifications'] });
  };
  const markRead = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/conversations/{id}/read', { params: { path: { id } } })),
    onSuccess: (r) => {
      queryClient.setQueryData(['conversation', id], r.conversation);
      if (r.marked > 0) refreshLists();
    },
  });
  // Opening the thread (and new messages arriving while it is open) marks it read.
  const unreadHere = conv.data?.unread_count ?? 0;
  const lastId = messages.data?.at(-1)?.id;
  const { mutate: mark } = markRead;
  useEffect(() => {
    if (conv.data && (unreadHere > 0 || messages.data?.some((m) => !m.from_me && !m.read_at))) mark();
  }, [conv.data?.id, unreadHere, lastId, mark]);

  const send = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/conversations/{id}/messages', { params: { path: { id } }, body: { body } })),
    onSuccess: (m) => {
      queryClient.setQueryData<Message[]>(['conversation', id, 'messages'], (old) => [...(old ?? []), m]);
      setBody('');
      setSent(true);
      void queryClient.invalidateQueries({ queryKey: INBOX_KEY });
      boxRef.current?.focus();
    },
  });
  const block = useMutation({
    mutationFn: (on: boolean) =>
      unwrap(
        on
          ? api.POST('/api/v1/conversations/{id}/block', { params: { path: { id } } })
          : api.DELETE('/api/v1/conversations/{id}/block', { params: { path: { id } } }),
      ),
    onSuccess: (c) => {
      queryClient.setQueryData(['conversation', id], c);
      setConfirmBlock(false);
      send.reset();
      void queryClient.invalidateQueries({ queryKey: INBOX_KEY });
    },
  });

  if (user === null) return <Navigate to={`/login?next=/me/messages/${id}`} replace />;
  if (user === undefined || conv.isPending) return <Loading />;
  if (conv.isError) return <ErrorBox error={conv.error} onRetry={() => void conv.refetch()} />;
  const c = conv.data;
  const other = c.other_party.display_name;
  const fieldError = send.error instanceof ApiError ? fieldErrors(send.error.problem).body : undefined;

  return (
    <section aria-labelledby="thread-h" className="thread">
      <p className="small">
        <Link to="/me/messages">← {t('messages.back')}</Link>
      </p>
      <h1 id="thread-h">
        {c.listing_id ? <Link to={`/listings/${c.listing_id}`}>{c.listing_title}</Link> : c.listing_title}
      </h1>
      <p className="muted">
        {t(c.role === 'buyer' ? 'messages.withSeller' : 'messages.withBuyer', { name: other })}
      </p>
      {markRead.isError && <ErrorBox error={markRead.error} />}
      {messages.isPending ? (
        <Loading />
      ) : messages.isError ? (
        <ErrorBox error={messages.error} onRetry={() => void messages.refetch()} />
      ) : (
        <ol className="message-list" data-testid="messages" aria-label={t('messages.list')}>
          {messages.data.map((m) => (
            <li key={m.id} className={m.from_me ? 'mine' : 'theirs'} data-testid="message">
              <p className="muted small">
                {m.from_me ? t('messages.me') : other} · <time dateTime={m.created_at}>{formatDateTime(lang, m.created_at)}</time>
              </p>
              <p className="message-body">{m.body}</p>
            </li>
          ))}
        </ol>
      )}
      {sent && (
        <p role="status" className="visually-hidden">
          {t('messages.sent')}
        </p>
      )}
      {c.blocked_by_me ? (
        <p className="notice" data-testid="blocked">
          {t('messages.blockedByMe', { name: other })}
        </p>
      ) : c.other_party.deleted ? (
        <p className="notice">{t('messages.deleted')}</p>
      ) : !c.can_reply ? (
        <p className="notice" data-testid="blocked">
          {t('messages.cannotReply')}
        </p>
      ) : (
        <form
          className="reply"
          onSubmit={(e) => {
            e.preventDefault();
            if (body.trim()) send.mutate();
          }}
        >
          <div className={`field${fieldError ? ' field-invalid' : ''}`}>
            <label htmlFor={`${formId}-body`}>{t('messages.reply')}</label>
            <textarea
              ref={boxRef}
              id={`${formId}-body`}
              rows={4}
              value={body}
              maxLength={MAX_MESSAGE}
              aria-describedby={`${formId}-count`}
              aria-invalid={fieldError ? true : undefined}
              onChange={(e) => {
                setBody(e.target.value);
                setSent(false);
              }}
            />
            <p id={`${formId}-count`} className="muted small">
              {t('messages.chars', { count: body.length, max: MAX_MESSAGE })}
            </p>
            {fieldError && <p className="field-error">{fieldError}</p>}
          </div>
          {send.isError && !fieldError && <SendError error={send.error} />}
          <button type="submit" disabled={send.isPending || !body.trim()}>
            {t('messages.send')}
          </button>
        </form>
      )}
      <div className="row-actions block-actions">
        {c.blocked_by_me ? (
          <button type="button" className="secondary" onClick={() => block.mutate(false)} disabled={block.isPending}>
            {t('messages.unblock', { name: other })}
          </button>
        ) : confirmBlock ? (
          <div role="group" aria-label={t('messages.block', { name: other })}>
            <p>{t('messages.blockExplain', { name: other })}</p>
            <button type="button" className="danger" onClick={() => block.mutate(true)} disabled={block.isPending}>
              {t('messages.confirmBlock', { name: other })}
            </button>{' '}
            <button type="button" className="secondary" onClick={() => setConfirmBlock(false)}>
              {t('common.cancel')}
            </button>
          </div>
        ) : (
          !c.other_party.deleted && (
            <button type="button" className="secondary" onClick={() => setConfirmBlock(true)}>
              {t('messages.block', { name: other })}
            </button>
          )
        )}
      </div>
      {block.isError && <ErrorBox error={block.error} />}
    </section>
  );
}
