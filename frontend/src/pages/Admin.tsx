import { useState, type FormEvent, type ReactNode } from 'react';
import { Navigate, NavLink, useParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { ApiError, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/format';
import type { MessageKey } from '../i18n/messages';
import { flattenCategories, usePageTitle, type CategoryNode } from '../hooks/catalogue';
import { Field } from '../components/Field';
import { ErrorBox, Loading } from '../components/Status';

type S = Schemas;
const ROLES: readonly S['Role'][] = ['user', 'moderator', 'admin'];
const GROUPS: readonly S['AttributeGroup'][] = ['aircraft', 'engine', 'propeller', 'avionics', 'part', 'equipment', 'hangar', 'share', 'service'];

/** Moderators and administrators: the category tree; administrators: the users. */
export default function Admin() {
  const { t } = useI18n();
  const { user } = useAuth();
  const { section = 'categories' } = useParams();
  usePageTitle(t('admin.title'));
  if (user === null) return <Navigate to="/login?next=/admin" replace />;
  if (user === undefined) return <Loading />;
  const role = user.role;
  if (role !== 'admin' && role !== 'moderator') return <ErrorBox error={new ApiError(403, null, t('admin.forbidden'))} />;
  return (
    <>
      <h1>{t('admin.title')}</h1>
      <nav aria-label={t('admin.title')} className="tabs">
        <NavLink to="/admin/categories">{t('admin.categories')}</NavLink>
        {role === 'admin' && <NavLink to="/admin/users">{t('admin.users')}</NavLink>}
      </nav>
      {section === 'users' && role === 'admin' ? <Users /> : <Categories admin={role === 'admin'} />}
    </>
  );
}

/** The category tree; `admin`: may also reorder the top level (the API allows only them). */
function Categories({ admin }: { admin: boolean }) {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  // Moderators see hidden categories too, so that they can show them again.
  const tree = useQuery({
    queryKey: ['categories', 'admin'],
    queryFn: () => unwrap(api.GET('/api/v1/categories', { params: { query: { include_inactive: true } } })),
  });
  const [form, setForm] = useState({ slug: '', name_fr: '', name_en: '', attribute_group: 'aircraft' as S['AttributeGroup'], parent: '' });
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['categories'] });
  };
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/categories', {
          body: {
            slug: form.slug,
            name_fr: form.name_fr,
            name_en: form.name_en,
            attribute_group: form.attribute_group,
            parent: form.parent || null,
          },
        }),
      ),
    onSuccess: () => {
      setForm({ ...form, slug: '', name_fr: '', name_en: '' });
      refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: (c: CategoryNode) =>
      unwrap(api.PATCH('/api/v1/categories/{slug}', { params: { path: { slug: c.slug } }, body: { active: !c.active } })),
    onSettled: refresh,
  });
  const reorder = useMutation({
    // `parent` null: the top level (administrators only), else one category's children.
    mutationFn: async ({ parent, children }: { parent: string | null; children: string[] }): Promise<void> => {
      if (parent === null) await unwrap(api.PUT('/api/v1/categories/order', { body: { children } }));
      else await unwrap(api.PUT('/api/v1/categories/{slug}/children/order', { params: { path: { slug: parent } }, body: { children } }));
    },
    onSettled: refresh,
  });
  const { byField, other } = splitFieldErrors(create.error instanceof ApiError ? create.error.problem : null, [
    'slug',
    'name_fr',
    'name_en',
    'attribute_group',
    'parent',
  ]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const all = tree.data ? flattenCategories(tree.data.items) : [];
  /** Moves one of `siblings` (the children of `parent`, or the top level) up or down. */
  const move = (parent: CategoryNode | null, siblings: CategoryNode[], index: number, delta: number) => {
    const children = siblings.map((c) => c.slug);
    const [moved] = children.splice(index, 1);
    if (moved === undefined) return;
    children.splice(index + delta, 0, moved);
    setNotice('');
    reorder.mutate({ parent: parent?.slug ?? null, children });
  };
  const render = (nodes: CategoryNode[], parent: CategoryNode | null) => (
    <ul className="admin-tree">
      {nodes.map((c, i) => (
        <li key={c.slug} data-slug={c.slug}>
          <span className={c.active ? '' : 'muted'}>
            <strong>{c.name_fr}</strong> / {c.name_en} <code>{c.slug}</code> · {c.attribute_group} · {c.listing_count}
            {c.active ? '' : ` · ${t('admin.hidden')}`}
          </span>{' '}
          <span className="admin-actions">
            <button type="button" className="secondary small-button" onClick={() => toggle.mutate(c)}>
              {c.active ? t('admin.deactivate') : t('admin.activate')}
            </button>
            <button
              type="button"
              className="secondary small-button"
              aria-expanded={editing === c.slug}
              onClick={() => {
                setNotice('');
                setDeleting(null);
                setEditing(editing === c.slug ? null : c.slug);
              }}
            >
              {t('admin.edit')}
            </button>
            {(parent || admin) && (
              <>
                <button
                  type="button"
                  className="secondary small-button"
                  aria-label={t('admin.up', { name: lang === 'en' ? c.name_en : c.name_fr })}
                  disabled={i === 0 || reorder.isPending}
                  onClick={() => move(parent, nodes, i, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="secondary small-button"
                  aria-label={t('admin.down', { name: lang === 'en' ? c.name_en : c.name_fr })}
                  disabled={i === nodes.length - 1 || reorder.isPending}
                  onClick={() => move(parent, nodes, i, 1)}
                >
                  ↓
                </button>
              </>
            )}
            <button
              type="button"
              className="secondary small-button"
              aria-expanded={deleting === c.slug}
              onClick={() => {
                setNotice('');
                setEditing(null);
                setDeleting(deleting === c.slug ? null : c.slug);
              }}
            >
              {t('admin.delete')}
            </button>
          </span>
          {editing === c.slug && (
            <EditCategory
              key={c.slug}
              node={c}
              parent={parent?.slug ?? ''}
              all={all}
              onDone={(msg) => {
                setEditing(null);
                setNotice(msg);
                refresh();
              }}
              onCancel={() => setEditing(null)}
            />
          )}
          {deleting === c.slug && (
            <DeleteCategory
              key={c.slug}
              node={c}
              all={all}
              onDone={(msg) => {
                setDeleting(null);
                setNotice(msg);
                refresh();
              }}
              onCancel={() => setDeleting(null)}
            />
          )}
          {c.children.length > 0 && render(c.children, c)}
        </li>
      ))}
    </ul>
  );
  return (
    <section aria-labelledby="cats-h">
      <h2 id="cats-h">{t('admin.categories')}</h2>
      <p role="status" className={notice ? 'notice' : 'visually-hidden'} data-testid="admin-notice">
        {notice}
      </p>
      {toggle.isError && <ErrorBox error={toggle.error} />}
      {reorder.isError && <ErrorBox error={reorder.error} />}
      {tree.isPending ? <Loading /> : tree.isError ? <ErrorBox error={tree.error} /> : <div data-testid="admin-tree">{render(tree.data.items, null)}</div>}
      <form onSubmit={submit} className="card pad" noValidate>
        <h3>{t('admin.newCategory')}</h3>
        <Field id="cat-slug" label="Slug" value={form.slug} onChange={(e) => setForm({ ...form, slug: e.target.value })} error={byField.slug} />
        <Field id="cat-fr" label={t('admin.nameFr')} value={form.name_fr} onChange={(e) => setForm({ ...form, name_fr: e.target.value })} error={byField.name_fr} />
        <Field id="cat-en" label={t('admin.nameEn')} value={form.name_en} onChange={(e) => setForm({ ...form, name_en: e.target.value })} error={byField.name_en} />
        <div className="field">
          <label htmlFor="cat-group">{t('admin.group')}</label>
          <select id="cat-group" value={form.attribute_group} onChange={(e) => setForm({ ...form, attribute_group: e.target.value as S['AttributeGroup'] })}>
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </div>
        <Field id="cat-parent" label={t('admin.parent')} value={form.parent} onChange={(e) => setForm({ ...form, parent: e.target.value })} error={byField.parent} />
        {other.length > 0 && <p className="error-box">{other.join(' ')}</p>}
        {create.isError && Object.keys(byField).length === 0 && other.length === 0 && <ErrorBox error={create.error} />}
        <button type="submit" disabled={create.isPending}>
          {t('admin.create')}
        </button>
      </form>
    </section>
  );
}

/** Slugs of a category and everything under it (it cannot move there). */
function subtree(node: CategoryNode): Set<string> {
  return new Set(flattenCategories([node]).map((x) => x.node.slug));
}

/** A select of the categories outside `node`'s subtree, indented by depth. */
function CategoryOptions({ all, exclude }: { all: { node: CategoryNode; depth: number }[]; exclude: Set<string> }) {
  const { lang } = useI18n();
  return (
    <>
      {all
        .filter((x) => !exclude.has(x.node.slug))
        .map((x) => (
          <option key={x.node.slug} value={x.node.slug}>
            {'\u00a0\u00a0'.repeat(x.depth)}
            {lang === 'en' ? x.node.name_en : x.node.name_fr} ({x.node.slug})
          </option>
        ))}
    </>
  );
}

function SelectField({ id, label, error, value, onChange, children }: {
  id: string;
  label: string;
  error?: string;
  value: string;
  onChange: (v: string) => void;
  children: ReactNode;
}) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        {children}
      </select>
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

function EditCategory({ node, parent, all, onDone, onCancel }: {
  node: CategoryNode;
  parent: string;
  all: { node: CategoryNode; depth: number }[];
  onDone: (notice: string) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const [form, setForm] = useState({ name_fr: node.name_fr, name_en: node.name_en, parent });
  const save = useMutation({
    mutationFn: () => {
      const body: S['UpdateCategory'] = {};
      if (form.name_fr !== node.name_fr) body.name_fr = form.name_fr;
      if (form.name_en !== node.name_en) body.name_en = form.name_en;
      if (form.parent !== parent) body.parent = form.parent || null;
      return unwrap(api.PATCH('/api/v1/categories/{slug}', { params: { path: { slug: node.slug } }, body }));
    },
    onSuccess: () => onDone(t('admin.saved')),
  });
  const { byField, other } = splitFieldErrors(save.error instanceof ApiError ? save.error.problem : null, ['name_fr', 'name_en', 'parent']);
  const id = `edit-${node.slug}`;
  return (
    <form
      className="card pad admin-edit"
      aria-labelledby={`${id}-h`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <h3 id={`${id}-h`}>{t('admin.editing', { slug: node.slug })}</h3>
      <Field id={`${id}-fr`} label={t('admin.nameFr')} value={form.name_fr} onChange={(e) => setForm({ ...form, name_fr: e.target.value })} error={byField.name_fr} />
      <Field id={`${id}-en`} label={t('admin.nameEn')} value={form.name_en} onChange={(e) => setForm({ ...form, name_en: e.target.value })} error={byField.name_en} />
      <SelectField id={`${id}-parent`} label={t('admin.moveUnder')} value={form.parent} onChange={(v) => setForm({ ...form, parent: v })} error={byField.parent}>
        <option value="">{t('admin.topLevel')}</option>
        <CategoryOptions all={all} exclude={subtree(node)} />
      </SelectField>
      {other.length > 0 && <p className="error-box">{other.join(' ')}</p>}
      {save.isError && Object.keys(byField).length === 0 && other.length === 0 && <ErrorBox error={save.error} />}
      <div className="button-row">
        <button type="submit" disabled={save.isPending}>
          {t('admin.save')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
      </div>
    </form>
  );
}

function DeleteCategory({ node, all, onDone, onCancel }: {
  node: CategoryNode;
  all: { node: CategoryNode; depth: number }[];
  onDone: (notice: string) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const [moveTo, setMoveTo] = useState('');
  const del = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE('/api/v1/categories/{slug}', {
          params: { path: { slug: node.slug }, query: moveTo ? { move_to: moveTo } : {} },
        }),
      ),
    onSuccess: () => onDone(t('admin.deleted', { slug: node.slug })),
  });
  const problem = del.error instanceof ApiError ? del.error.problem : null;
  const { byField, other } = splitFieldErrors(problem, ['move_to']);
  // A 409 (subcategories or listings left and no `move_to`) is about the choice of a target.
  const conflict = del.error instanceof ApiError && del.error.status === 409 ? del.error.message : undefined;
  const id = `delete-${node.slug}`;
  return (
    <form
      className="card pad admin-edit"
      aria-labelledby={`${id}-h`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        del.mutate();
      }}
    >
      <h3 id={`${id}-h`}>{t('admin.deleteTitle', { slug: node.slug })}</h3>
      <SelectField id={`${id}-move`} label={t('admin.moveTo')} value={moveTo} onChange={setMoveTo} error={byField.move_to ?? conflict}>
        <option value="">{t('admin.moveToNone')}</option>
        <CategoryOptions all={all} exclude={subtree(node)} />
      </SelectField>
      {other.length > 0 && <p className="error-box">{other.join(' ')}</p>}
      {del.isError && !byField.move_to && !conflict && other.length === 0 && <ErrorBox error={del.error} />}
      <div className="button-row">
        <button type="submit" className="danger" disabled={del.isPending}>
          {t('admin.deleteConfirm')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
      </div>
    </form>
  );
}

function Users() {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const users = useInfiniteQuery({
    queryKey: ['admin', 'users', query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/admin/users', { params: { query: { q: query || undefined, limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const act = useMutation({
    mutationFn: async ({ u, action, role }: { u: S['AdminUser']; action: 'suspend' | 'reinstate' | 'role'; role?: S['Role'] }) => {
      const path = { id: u.id };
      if (action === 'suspend') {
        const reason = window.prompt(t('admin.reason')) ?? '';
        if (!reason.trim()) return null;
        return unwrap(api.POST('/api/v1/admin/users/{id}/suspend', { params: { path }, body: { reason } }));
      }
      if (action === 'reinstate') return unwrap(api.POST('/api/v1/admin/users/{id}/reinstate', { params: { path } }));
      return unwrap(api.PUT('/api/v1/admin/users/{id}/role', { params: { path }, body: { role: role ?? u.role } }));
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
  const items = users.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="users-h">
      <h2 id="users-h">{t('admin.users')}</h2>
      <form
        role="search"
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(q.trim());
        }}
      >
        <label htmlFor="admin-q">{t('admin.searchUsers')}</label>
        <input id="admin-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">{t('home.searchButton')}</button>
      </form>
      {act.isError && <ErrorBox error={act.error} />}
      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <ErrorBox error={users.error} />
      ) : (
        <div className="table-scroll">
          <table className="specs" data-testid="admin-users">
            <caption className="visually-hidden">{t('admin.users')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('auth.displayName')}</th>
                <th scope="col">{t('auth.email')}</th>
                <th scope="col">{t('admin.role')}</th>
                <th scope="col">{t('admin.status')}</th>
                <th scope="col">{t('admin.since')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => {
                const status = u.status;
                return (
                  <tr key={u.id}>
                    <td>
                      {u.display_name}
                      {u.company_name ? ` (${u.company_name})` : ''}
                    </td>
                    <td>{u.email}</td>
                    <td>
                      <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                        {t('admin.role')} {u.display_name}
                      </label>
                      <select id={`role-${u.id}`} value={u.role} onChange={(e) => act.mutate({ u, action: 'role', role: e.target.value as S['Role'] })}>
                        {ROLES.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>{t(`admin.status.${status}` as MessageKey)}</td>
                    <td>{formatDate(lang, u.created_at)}</td>
                    <td>
                      {status === 'suspended' ? (
                        <button type="button" className="secondary" onClick={() => act.mutate({ u, action: 'reinstate' })}>
                          {t('admin.reinstate')}
                        </button>
                      ) : status === 'active' ? (
                        <button type="button" className="secondary" onClick={() => act.mutate({ u, action: 'suspend' })}>
                          {t('admin.suspend')}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {users.hasNextPage && (
        <button type="button" onClick={() => void users.fetchNextPage()}>
          {t('search.more')}
        </button>
      )}
    </section>
  );
}
