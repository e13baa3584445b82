import { createBrowserRouter } from 'react-router';
import { Layout } from './components/Layout';
import { RouteError } from './components/RouteError';

// Every page is its own chunk: the first visit loads the shell and the page it lands on only.
export const router = createBrowserRouter([
  {
    path: '/',
    Component: Layout,
    ErrorBoundary: RouteError,
    children: [
      { index: true, lazy: () => import('./pages/Home').then((m) => ({ Component: m.default })) },
      { path: 'search', lazy: () => import('./pages/Search').then((m) => ({ Component: m.default })) },
      { path: 'listings/:id', lazy: () => import('./pages/Listing').then((m) => ({ Component: m.default })) },
      { path: 'login', lazy: () => import('./pages/Login').then((m) => ({ Component: m.default })) },
      { path: 'register', lazy: () => import('./pages/Register').then((m) => ({ Component: m.default })) },
      { path: 'verify-email', lazy: () => import('./pages/VerifyEmail').then((m) => ({ Component: m.default })) },
      { path: 'forgot-password', lazy: () => import('./pages/ForgotPassword').then((m) => ({ Component: m.default })) },
      { path: 'reset-password', lazy: () => import('./pages/ResetPassword').then((m) => ({ Component: m.default })) },
      { path: 'sell', lazy: () => import('./pages/Sell').then((m) => ({ Component: m.default })) },
      { path: 'account', lazy: () => import('./pages/Account').then((m) => ({ Component: m.default })) },
      { path: 'moderation/:section?', lazy: () => import('./pages/Moderation').then((m) => ({ Component: m.default })) },
      { path: 'admin/:section?', lazy: () => import('./pages/Admin').then((m) => ({ Component: m.default })) },
      { path: 'me/listings', lazy: () => import('./pages/MyListings').then((m) => ({ Component: m.default })) },
      { path: 'me/favorites', lazy: () => import('./pages/Favorites').then((m) => ({ Component: m.default })) },
      { path: 'me/messages', lazy: () => import('./pages/Messages').then((m) => ({ Component: m.default })) },
      { path: 'me/messages/:id', lazy: () => import('./pages/Conversation').then((m) => ({ Component: m.default })) },
      { path: 'me/notifications', lazy: () => import('./pages/Notifications').then((m) => ({ Component: m.default })) },
      { path: 'me/saved-searches', lazy: () => import('./pages/SavedSearches').then((m) => ({ Component: m.default })) },
      { path: 'me/reports', lazy: () => import('./pages/MyReports').then((m) => ({ Component: m.default })) },
      { path: 'unsubscribe', lazy: () => import('./pages/Unsubscribe').then((m) => ({ Component: m.default })) },
      { path: '*', lazy: () => import('./pages/NotFound').then((m) => ({ Component: m.default })) },
    ],
  },
]);
