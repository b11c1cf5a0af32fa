import { lazy, Suspense } from 'react';
import { useCapabilities } from '../api/capabilities.js';
import { can } from '../../shared/permissions.js';
import { AccountMenu } from '../features/auth/account-menu.js';
import { SessionProvider, useSession, useSessionQuery } from '../features/auth/session.js';
import { SignIn } from '../features/auth/sign-in.js';
import { ConversationView } from '../features/conversation/conversation-view.js';
import { Inbox } from '../features/inbox/inbox.js';
import { LiveEventsProvider, useLiveMode } from '../features/live/live-events.js';
import { SettingsScreen } from '../features/settings/settings-screen.js';
import { HelpOverlay } from '../features/shortcuts/help-overlay.js';
import { EmptyState, ErrorNotice } from '../ui/notice.js';
import { conversationIdOf, linkTo, navigate, pageOf, useLocation } from './router.js';

// The chart screens load on first visit: Recharts is most of the bundle, and agents live in the inbox.
const SupervisorDashboard = lazy(() => import('../features/supervisor/supervisor-dashboard.js').then((m) => ({ default: m.SupervisorDashboard })));
const IncidentsScreen = lazy(() => import('../features/incidents/incidents-screen.js').then((m) => ({ default: m.IncidentsScreen })));

const InboxScreen = ({ activeId, search }: { activeId: string | null; search: string }) => (
  <div className="panes">
    <Inbox activeId={activeId} />
    <main className="detail">
      {activeId ? (
        <>
          <a
            className="back-link"
            href="/"
            onClick={(e) => {
              e.preventDefault();
              navigate(`/${search}`);
            }}
          >
            ← Back to the inbox
          </a>
          <ConversationView key={activeId} id={activeId} />
        </>
      ) : (
        <EmptyState title="No conversation open">Pick one from the list, or press j and Enter.</EmptyState>
      )}
    </main>
  </div>
);

const LiveBadge = () => {
  const mode = useLiveMode();
  const text = mode === 'live' ? 'Live' : mode === 'connecting' ? 'Connecting…' : 'Refreshing every few seconds';
  return (
    <span className={`live live-${mode}`} title={mode === 'live' ? 'Updates are pushed by the server as they happen' : 'No live stream: the lists are polled'}>
      {text}
    </span>
  );
};

/** The screens this user may open on this server: a screen appears once its API exists and the role allows it. */
const useNav = () => {
  const { user } = useSession();
  const capabilities = useCapabilities();
  const items = [{ to: '/', label: 'Inbox', page: 'inbox' }];
  if (can(user.role, 'queue:read')) items.push({ to: '/supervisor', label: 'Dashboard', page: 'supervisor' });
  if (can(user.role, 'incidents:read') && capabilities.has('GET', '/api/v1/incidents')) items.push({ to: '/incidents', label: 'Incidents', page: 'incidents' });
  if (user.role === 'admin') items.push({ to: '/settings', label: 'Settings', page: 'settings' });
  return items;
};

const Workspace = () => {
  const location = useLocation();
  const activeId = conversationIdOf(location.path);
  const page = pageOf(location.path);
  const nav = useNav();
  const search = location.search.size ? `?${location.search.toString()}` : '';
  return (
    <div className={`workspace${activeId ? ' has-active' : ''}`}>
      <header className="topbar">
        <a href="/" className="brand" onClick={linkTo(page.name === 'inbox' ? `/${search}` : '/')}>
          Parley
        </a>
        <nav aria-label="Screens" className="main-nav">
          {nav.map((n) => (
            <a key={n.to} href={n.to} aria-current={page.name === n.page ? 'page' : undefined} onClick={linkTo(n.to)}>
              {n.label}
            </a>
          ))}
        </nav>
        <LiveBadge />
        <AccountMenu />
      </header>
      {page.name === 'inbox' ? <InboxScreen activeId={activeId} search={search} /> : null}
      <Suspense fallback={<p className="muted boot">Loading…</p>}>
        {page.name === 'supervisor' ? <SupervisorDashboard /> : null}
        {page.name === 'incidents' ? <IncidentsScreen id={page.id} /> : null}
      </Suspense>
      {page.name === 'settings' ? <SettingsScreen tab={page.tab} /> : null}
      {page.name === 'not-found' ? (
        <main className="screen">
          <EmptyState title="Nothing here">This address is not a Parley screen. Use the menu above to go back to the inbox.</EmptyState>
        </main>
      ) : null}
      <HelpOverlay />
    </div>
  );
};

/** Signed out → sign-in form; signed in → the workspace. */
export const App = () => {
  const session = useSessionQuery();
  if (session.isPending) return <p className="muted boot">Loading Parley…</p>;
  if (session.error) return <ErrorNotice error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data) return <SignIn />;
  return (
    <SessionProvider user={session.data}>
      <LiveEventsProvider>
        <Workspace />
      </LiveEventsProvider>
    </SessionProvider>
  );
};
