import { useCapabilities } from '../../api/capabilities.js';
import { useSession } from '../auth/session.js';
import { linkTo } from '../../routes/router.js';
import { EmptyState } from '../../ui/notice.js';
import { ChannelsSettings } from './channels-settings.js';
import { MacrosSettings } from './macros-settings.js';
import { RulesSettings } from './rules-settings.js';
import { SlaSettings } from './sla-settings.js';
import { TeamsSettings } from './teams-settings.js';
import { UsersSettings } from './users-settings.js';

const tabs = [
  { id: 'users', label: 'Users and roles', route: null },
  { id: 'teams', label: 'Teams and skills', route: null },
  { id: 'channels', label: 'Channels', route: null },
  { id: 'sla', label: 'SLA policies', route: '/api/v1/sla-policies' },
  { id: 'rules', label: 'Rules', route: '/api/v1/rules' },
  { id: 'macros', label: 'Macros', route: '/api/v1/macros' },
] as const;

/** Admin settings: who works here and with what rights, how they are grouped, which channels Parley listens to. */
export const SettingsScreen = ({ tab }: { tab: string }) => {
  const { user } = useSession();
  const capabilities = useCapabilities();
  // Sections whose API this server does not have yet stay hidden.
  const available = tabs.filter((t) => t.route === null || capabilities.has('GET', t.route));
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
        {available.map((t) => (
          <a key={t.id} className="tab" href={`/settings/${t.id}`} aria-current={tab === t.id ? 'page' : undefined} onClick={linkTo(`/settings/${t.id}`)}>
            {t.label}
          </a>
        ))}
      </nav>
      {tab === 'users' ? <UsersSettings /> : null}
      {tab === 'teams' ? <TeamsSettings /> : null}
      {tab === 'channels' ? <ChannelsSettings /> : null}
      {tab === 'sla' && available.some((t) => t.id === 'sla') ? <SlaSettings /> : null}
      {tab === 'rules' && available.some((t) => t.id === 'rules') ? <RulesSettings /> : null}
      {tab === 'macros' && available.some((t) => t.id === 'macros') ? <MacrosSettings /> : null}
      {capabilities.isLoaded && !available.some((t) => t.id === tab) ? <EmptyState title="No such settings section">Pick a section above.</EmptyState> : null}
    </main>
  );
};
