import { AccountMenu } from '../features/auth/account-menu.js';
import { SessionProvider, useSessionQuery } from '../features/auth/session.js';
import { SignIn } from '../features/auth/sign-in.js';
import { ConversationView } from '../features/conversation/conversation-view.js';
import { Inbox } from '../features/inbox/inbox.js';
import { EmptyState, ErrorNotice } from '../ui/notice.js';
import { conversationIdOf, navigate, useLocation } from './router.js';

const Workspace = () => {
  const location = useLocation();
  const activeId = conversationIdOf(location.path);
  return (
    <div className={`workspace${activeId ? ' has-active' : ''}`}>
      <header className="topbar">
        <a
          href="/"
          className="brand"
          onClick={(e) => {
            e.preventDefault();
            navigate(`/${location.search.size ? `?${location.search.toString()}` : ''}`);
          }}
        >
          Parley
        </a>
        <AccountMenu />
      </header>
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
                  navigate(`/${location.search.size ? `?${location.search.toString()}` : ''}`);
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
      <Workspace />
    </SessionProvider>
  );
};
