import { useSession } from '../auth/session.js';
import { linkTo } from '../../routes/router.js';
import { EmptyState } from '../../ui/notice.js';
import { ChannelsSettings } from './channels-settings.js';
import { TeamsSettings } from './teams-settings.js';
import { UsersSettings } from './users-settings.js';

const tabs = [
  { id: 'users', label: 'Users and roles' },
  { id: 'teams', label: 'Teams and skills' },
  { id: 'channels', label: 'Channels' },
] as const;

/** Admin settings: who works here and with what rights, how they are grouped, which channels Parley listens to. */
export const SettingsScreen = ({ tab }: { tab: string }) => {
  const { user } = useSession();
  if (user.role !== 'admin') {
    return (
      <main className="screen">
        <EmptyState title="Admins only">Settings change who can do what. Ask an admin to make the change for you.</EmptyState>
      </main>
    );
  }
  return (
    <main className="screen settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <nav className="tabs" aria-label="Settings sections">
        {tabs.map((t) => (
          <a key={t.id} className="tab" href={`/settings/${t.id}`} aria-current={tab === t.id ? 'page' : undefined} onClick={linkTo(`/settings/${t.id}`)}>
            {t.label}
          </a>
        ))}
      </nav>
      {tab === 'users' ? <UsersSettings /> : null}
      {tab === 'teams' ? <TeamsSettings /> : null}
      {tab === 'channels' ? <ChannelsSettings /> : null}
      {!tabs.some((t) => t.id === tab) ? <EmptyState title="No such settings section">Pick a section above.</EmptyState> : null}
    </main>
  );
};
