// A raw TCP client for requests no HTTP library would send.
import net from 'node:net';

/** Sends `chunks` (strings/Buffers, with optional {delay} objects between) and collects the reply
 * until the server closes or `timeoutMs` passes. Resolves {text, status, closed, ms}. */
export function rawExchange(port, chunks, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let closed = false;
    const timer = setTimeout(() => finish(), timeoutMs);
    function finish() {
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data)?.[1];
      resolve({ text: data, status: status ? Number(status) : null, closed, ms: Date.now() - started });
    }
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', (error) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      reject(error);
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (chunk && typeof chunk === 'object' && 'delay' in chunk) {
          await new Promise((r) => setTimeout(r, chunk.delay));
        } else if (!socket.destroyed) {
          socket.write(chunk);
        }
      }
    });
  });
}

/** The JSON body of a raw HTTP/1.1 response (Content-Length framed). */
export function bodyOf(text) {
  const split = text.indexOf('\r\n\r\n');
  return JSON.parse(text.slice(split + 4));
}
