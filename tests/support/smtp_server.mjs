// A real SMTP server on loopback (npm smtp-server) for tests: it accepts mail, optionally
// requiring AUTH and/or offering STARTTLS with a throwaway certificate, and keeps every message
// it received so a test can wait for one and read it.
import { SMTPServer } from 'smtp-server';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1 made with the openssl CLI: {key, cert, certFile}. */
export function makeCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile };
}

/**
 * Starts the server. Options: user/password (AUTH required when set), tls ({key, cert}: offer
 * STARTTLS; without it, plain only). Resolves to {port, messages, waitFor(predicate), close()}.
 */
export async function startSmtpServer({ user, password, tls } = {}) {
  const messages = [];
  const waiters = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: tls ? [] : ['STARTTLS'],
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    authOptional: !user,
    allowInsecureAuth: !tls,
    logger: false,
    onAuth(auth, session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk) => (raw += chunk));
      stream.on('end', () => {
        const message = {
          raw,
          from: session.envelope.mailFrom?.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user,
          secure: session.secure,
        };
        messages.push(message);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(message)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(message);
          }
        }
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.server.address().port,
    messages,
    /** Resolves with the first message (already received or coming) that matches. */
    waitFor(predicate, timeoutMs = 15000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve };
        waiters.push(waiter);
        setTimeout(() => reject(new Error(`no matching mail within ${timeoutMs} ms`)), timeoutMs).unref();
      });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
