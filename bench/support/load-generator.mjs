/**
 * An HTTP load generator that runs in a worker thread, so the server under test keeps its own event loop
 * (and the machine's other core does the sending). Sends one request per envelope at a fixed rate over a
 * pool of keep-alive connections and reports each request's latency. Plain JavaScript: a worker thread
 * starts without the TypeScript loader.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ port: number, token: string, bodies: string[], ratePerSecond: number }} */
const job = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });

/** @param {string} body @returns {Promise<number>} */
const post = (body) =>
  new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: job.port, path: '/api/v1/messages', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${job.token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const run = async () => {
  /** @type {number[]} */
  const latencies = [];
  /** @type {number[]} */
  const failures = [];
  const started = performance.now();
  /** @type {Promise<void>[]} */
  const inflight = [];
  for (let i = 0; i < job.bodies.length; i += 1) {
    const due = started + (i * 1000) / job.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    const index = i;
    inflight.push(
      post(job.bodies[i]).then(
        (status) => {
          // By send order, so the caller can leave out a warm-up prefix.
          if (status === 202) latencies[index] = performance.now() - sent;
          else failures.push(status);
        },
        () => {
          failures.push(0);
        },
      ),
    );
  }
  await Promise.all(inflight);
  agent.destroy();
  parentPort?.postMessage({ latencies, failures, seconds: (performance.now() - started) / 1000 });
};

void run();
