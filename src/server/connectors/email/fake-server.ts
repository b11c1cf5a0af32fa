import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string | null;
  to: string[];
  raw: Buffer;
}

export interface SmtpSink {
  host: string;
  port: number;
  received: ReceivedMail[];
  /** The next DATA is answered with this code and text (e.g. 451 for a deferral, 550 for a rejection). */
  failNext(code: number, text: string): void;
  close(): Promise<void>;
}

/** An SMTP server (smtp-server, nodemailer project) that keeps what it receives; AUTH is checked when `auth` is given. */
export async function startSmtpSink(auth?: { user: string; password: string }): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const failures: { code: number; text: string }[] = [];
  const server = new SMTPServer({
    authOptional: !auth,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(credentials, _session, callback) {
      if (!auth || (credentials.username === auth.user && credentials.password === auth.password)) return callback(null, { user: credentials.username });
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const failure = failures.shift();
        if (failure) return callback(Object.assign(new Error(failure.text), { responseCode: failure.code }));
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    received,
    failNext: (code, text) => failures.push({ code, text }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface DovecotServer {
  host: string;
  port: number;
  /** Drops every session of the user, as a server restart or idle timeout would. */
  kick(user: string): void;
  stop(): Promise<void>;
}

/** True when Debian's dovecot-imapd is installed (CI installs it; see the report in the email adapter's tests). */
export function hasDovecot(): boolean {
  return existsSync('/usr/sbin/dovecot') && existsSync('/usr/bin/doveadm');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on ${port}`);
}

/**
 * A real IMAP server: Dovecot with a single config file in a temp dir (CONNECTORS.md §6.4), a passwd-file
 * user database and maildirs owned by `nobody`, listening on 127.0.0.1 at a free port. Run as root.
 */
export async function startDovecot(users: { user: string; password: string }[]): Promise<DovecotServer> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-dovecot-'));
  chmodSync(dir, 0o755);
  const run = join(dir, 'run');
  const mail = join(dir, 'mail');
  mkdirSync(run, { recursive: true });
  mkdirSync(mail, { recursive: true });
  chownSync(mail, 65534, 65534);
  const port = await freePort();
  writeFileSync(join(dir, 'users'), users.map((u) => `${u.user}:{PLAIN}${u.password}::::::`).join('\n') + '\n');
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    [
      `base_dir = ${run}`, `state_dir = ${join(run, 'state')}`, 'protocols = imap', 'listen = 127.0.0.1', 'ssl = no',
      'disable_plaintext_auth = no', 'auth_mechanisms = plain login', `log_path = ${join(dir, 'dovecot.log')}`,
      `mail_location = maildir:${mail}/%u`, 'first_valid_uid = 1',
      'passdb {', '  driver = passwd-file', `  args = scheme=PLAIN username_format=%u ${join(dir, 'users')}`, '}',
      // uid 0 is refused by Dovecot; nobody owns the maildirs.
      'userdb {', '  driver = static', `  args = uid=65534 gid=65534 home=${mail}/%u`, '}',
      'service imap-login {', '  inet_listener imap {', '    address = 127.0.0.1', `    port = ${port}`, '  }', '  inet_listener imaps {', '    port = 0', '  }', '}',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('/usr/sbin/dovecot', ['-F', '-c', conf], { stdio: 'ignore' });
  await waitForPort(port, Date.now() + 15_000);
  return {
    host: '127.0.0.1',
    port,
    kick(user) {
      spawnSync('/usr/bin/doveadm', ['-c', conf, 'kick', user], { stdio: 'ignore' });
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
