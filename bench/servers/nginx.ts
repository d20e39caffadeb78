import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, start, waitForPort, withChildren, type Child } from '../lib/proc.js';
import { scratch } from '../lib/paths.js';

const NGINX = '/usr/sbin/nginx';

/** An nginx instance started by the bench, with its prefix, pid and temp paths under bench/tmp. */
export interface Nginx {
  name: string;
  endpoint: string;
  port: number;
  /** The master and its workers, for CPU accounting. */
  pids(): number[];
  stop(): Promise<void>;
}

function preamble(prefix: string, workers: string): string {
  return `daemon off;
worker_processes ${workers};
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
`;
}

async function launch(name: string, conf: (port: number, prefix: string) => string): Promise<Nginx> {
  const prefix = scratch('nginx', name);
  const port = await freePort();
  const file = join(prefix, 'nginx.conf');
  writeFileSync(file, conf(port, prefix));
  const proc: Child = start(NGINX, ['-p', prefix, '-e', join(prefix, 'error.log'), '-c', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  await Promise.race([waitForPort(port), proc.exited.then((code) => { throw new Error(`nginx ${name} exited with ${code}; see ${prefix}/error.log`); })]);
  return { name, endpoint: `http://127.0.0.1:${port}`, port, pids: () => withChildren(proc.pid), stop: () => proc.stop('SIGQUIT') };
}

/** nginx as a WebDAV object store: PUT /bucket/key stores a file, GET serves it (the fast backend); `buckets` made empty. */
export function startWebdavStore(name: string, o: { workers?: string; buckets?: string[] } = {}): Promise<Nginx & { root: string }> {
  const root = join(scratch('nginx', name), 'data');
  rmSync(root, { recursive: true, force: true });
  // When the bench runs as root, nginx's workers run as nobody and must be able to write here (a bucket is a folder).
  for (const dir of [root, ...(o.buckets ?? []).map((b) => join(root, b))]) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
  }
  return launch(name, (port, prefix) => `${preamble(prefix, o.workers ?? 'auto')}
  server {
    listen 127.0.0.1:${port};
    root ${root};
    client_max_body_size 0;
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw;
    }
  }
}
`).then((n) => Object.assign(n, { root }));
}

/** nginx as a plain streaming reverse proxy with upstream keep-alive: the best a proxy with no logic can do. */
export function startNginxProxy(name: string, upstreamPort: number, o: { workers?: string } = {}): Promise<Nginx> {
  return launch(name, (port, prefix) => `${preamble(prefix, o.workers ?? 'auto')}
  upstream backend {
    server 127.0.0.1:${upstreamPort};
    keepalive 128;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_max_temp_file_size 0;
      proxy_read_timeout 300s;
      proxy_send_timeout 300s;
    }
  }
}
`);
}
