/**
 * Parley's web chat widget: one script a company embeds with
 *   <script src="https://parley.example.com/widget/chat.js" data-parley-channel="CHANNEL_ID" async></script>
 * It renders into a shadow root (the host page's styles cannot reach it), keeps the visitor's signed token in
 * localStorage so a reload resumes the same session, and receives replies live over a server-sent event stream
 * (read with fetch so the token travels in a header, never in a URL). Plain DOM, no dependencies.
 */

interface ChatMessage {
  id: string;
  from: 'visitor' | 'agent';
  text: string;
  at: number;
}

interface Session {
  token: string;
  visitorId: string;
  messages: ChatMessage[];
  settings: { title: string; greeting: string; maxMessageChars: number; open: boolean };
}

const css = `
:host{all:initial}
*{box-sizing:border-box;font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:12px 18px;background:#1d4ed8;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}
.launcher:focus-visible,button:focus-visible,textarea:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:340px;max-width:calc(100vw - 40px);height:440px;max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;color:#111;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden}
.panel[hidden]{display:none}
header{background:#1d4ed8;color:#fff;padding:10px 14px;display:flex;justify-content:space-between;align-items:center}
header h2{margin:0;font-size:16px;font-weight:600}
header button{background:transparent;border:0;color:#fff;font-size:20px;cursor:pointer;line-height:1}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f8fafc}
.msg{max-width:85%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}
.visitor{align-self:flex-end;background:#1d4ed8;color:#fff}
.agent{align-self:flex-start;background:#e2e8f0;color:#111}
.note{align-self:center;color:#475569;font-size:13px}
form{display:flex;gap:6px;padding:8px;border-top:1px solid #e2e8f0}
label{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
textarea{flex:1;resize:none;border:1px solid #94a3b8;border-radius:8px;padding:6px 8px;height:40px}
form button{border:0;border-radius:8px;background:#1d4ed8;color:#fff;padding:0 14px;cursor:pointer}
.error{color:#b91c1c;font-size:13px;padding:0 10px 6px}
`;

const script = document.currentScript as HTMLScriptElement | null;
const channelId = script?.dataset.parleyChannel ?? '';
const base = script ? new URL(script.src).origin : '';
const storageKey = `parley.chat.${channelId}`;

const randomId = (): string => {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
};

const readToken = (): string | null => {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null;
  }
};

const saveToken = (token: string): void => {
  try {
    localStorage.setItem(storageKey, token);
  } catch {
    // Storage refused (private mode): the session lasts as long as the page.
  }
};

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
};

const start = (): void => {
  if (!channelId || !base) return;
  const host = el('div', { 'data-parley-chat': channelId });
  document.body.appendChild(host);
  const root = host.attachShadow({ mode: 'open' });
  const style = el('style');
  style.textContent = css;
  const launcher = el('button', { class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'parley-panel' }, 'Chat with us');
  const panel = el('section', { class: 'panel', id: 'parley-panel', 'aria-label': 'Chat', hidden: '' });
  const heading = el('h2', {}, 'Chat with us');
  const close = el('button', { type: 'button', 'aria-label': 'Close chat' }, '×');
  const header = el('header');
  header.append(heading, close);
  const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite' });
  const error = el('div', { class: 'error', role: 'alert' });
  const form = el('form');
  const label = el('label', { for: 'parley-text' }, 'Your message');
  const input = el('textarea', { id: 'parley-text', name: 'text', rows: '1', maxlength: '2000' });
  const send = el('button', { type: 'submit' }, 'Send');
  form.append(label, input, send);
  panel.append(header, log, error, form);
  root.append(style, launcher, panel);

  let token = readToken();
  let lastAt = 0;
  const shown = new Set<string>();
  let stream: AbortController | null = null;
  let retryMs = 1000;

  const toggle = (open: boolean): void => {
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    if (open) input.focus();
  };
  launcher.addEventListener('click', () => toggle(panel.hidden));
  close.addEventListener('click', () => toggle(false));

  const show = (message: ChatMessage): void => {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    lastAt = Math.max(lastAt, message.at);
    const node = el('div', { class: `msg ${message.from}`, 'data-from': message.from }, message.text);
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
  };

  const headers = (): Record<string, string> => ({ 'content-type': 'application/json', ...(token ? { 'x-parley-visitor': token } : {}) });

  const connect = async (): Promise<void> => {
    stream?.abort();
    const controller = new AbortController();
    stream = controller;
    try {
      const response = await fetch(`${base}/p/chat/${encodeURIComponent(channelId)}/stream?after=${lastAt}`, { headers: headers(), signal: controller.signal, cache: 'no-store' });
      if (!response.ok || !response.body) throw new Error(`stream ${response.status}`);
      retryMs = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
          if (data) show(JSON.parse(data) as ChatMessage);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      if (controller.signal.aborted) return;
    }
    if (stream !== controller) return;
    // Dropped (server restart, network change): come back with what was missed since `lastAt`.
    setTimeout(() => void connect(), retryMs);
    retryMs = Math.min(retryMs * 2, 30_000);
  };

  const begin = async (): Promise<void> => {
    const response = await fetch(`${base}/p/chat/${encodeURIComponent(channelId)}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(token ? { token } : {}) });
    if (!response.ok) {
      launcher.hidden = true;
      return;
    }
    const session = (await response.json()) as Session;
    token = session.token;
    saveToken(token);
    heading.textContent = session.settings.title;
    launcher.textContent = session.settings.title;
    input.maxLength = session.settings.maxMessageChars;
    log.appendChild(el('div', { class: 'note' }, session.settings.greeting));
    for (const message of session.messages) show(message);
    void connect();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || !token) return;
    error.textContent = '';
    send.disabled = true;
    const body = JSON.stringify({ clientId: randomId(), text, pageUrl: location.href });
    void fetch(`${base}/p/chat/${encodeURIComponent(channelId)}/messages`, { method: 'POST', headers: headers(), body })
      .then(async (response) => {
        const answer = (await response.json()) as { message?: ChatMessage; detail?: string };
        if (!response.ok || !answer.message) throw new Error(answer.detail ?? 'Your message could not be sent.');
        input.value = '';
        show(answer.message);
      })
      .catch((failure: unknown) => {
        error.textContent = failure instanceof Error ? failure.message : 'Your message could not be sent.';
      })
      .finally(() => {
        send.disabled = false;
      });
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  void begin();
};

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();

export {};
