/**
 * The nginx.conf of a throw-away nginx + nchan (Debian's `libnginx-mod-nchan` 1.3.6) for tests:
 * everything nginx writes lives under one directory, so it runs unprivileged beside other copies.
 * Directives: https://nchan.io/#configuration-directives
 */

/** The nchan module as Debian's `libnginx-mod-nchan` installs it. */
export const NCHAN_MODULE = '/usr/lib/nginx/modules/ngx_nchan_module.so'

/**
 * What {@link nchanConf} needs: where nginx may write, the port, and the nchan knobs.
 *
 * @example
 * const options: NchanConfOptions = { dir: '/tmp/nchan-x', port: 18080, bufferLength: 100 }
 */
export interface NchanConfOptions {
  /** nginx's prefix: pid, logs and every temp path go here. */
  dir: string
  port: number
  /** Messages kept per channel for resumes (`nchan_message_buffer_length`). */
  bufferLength: number
  /** The server closes each stream after this many seconds (`nchan_subscriber_timeout`); 0 = never. */
  subscriberTimeoutS: number
  /** A `:ping` comment every this many seconds (`nchan_eventsource_ping_interval`); 0 = none. */
  pingIntervalS: number
  /** Largest publish body in bytes; nginx answers 413 above it (`client_max_body_size`). */
  maxBodyBytes: number
  /** Keep channels in Redis (`nchan_redis_url` + `nchan_use_redis on`), so several nginx share them. */
  redisUrl?: string
  /** Also serve this directory at `/`, so a page and its streams share one HTTP/1.1 origin. */
  staticRoot?: string
}

/**
 * The conf text for the given options.
 *
 * @example
 * writeFileSync(join(dir, 'nginx.conf'), nchanConf({ dir, port, bufferLength: 100, subscriberTimeoutS: 0, pingIntervalS: 15, maxBodyBytes: 65536 }))
 */
export function nchanConf(o: NchanConfOptions): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${o.dir}/${kind}_temp;`)
  // Both locations name the same store; with Redis every nginx pointed at it shares the channels.
  const store = [
    `      nchan_message_buffer_length ${o.bufferLength};`,
    ...(o.redisUrl === undefined ? [] : [`      nchan_redis_url "${o.redisUrl}";`, '      nchan_use_redis on;']),
  ]
  const timeout = o.subscriberTimeoutS > 0 ? [`      nchan_subscriber_timeout ${o.subscriberTimeoutS}s;`] : []
  // An empty ping event and data leave only the comment: a keep-alive that no client sees as a message.
  const ping =
    o.pingIntervalS > 0
      ? [
          `      nchan_eventsource_ping_interval ${o.pingIntervalS};`,
          '      nchan_eventsource_ping_comment "ping";',
          '      nchan_eventsource_ping_event "";',
          '      nchan_eventsource_ping_data "";',
        ]
      : []
  return [
    `load_module ${NCHAN_MODULE};`,
    'daemon off;',
    // One worker: a subscription is registered before its response starts (no inter-process hop),
    // and the machine's two cores are shared.
    'worker_processes 1;',
    `pid ${o.dir}/nginx.pid;`,
    `error_log ${o.dir}/error.log warn;`,
    'events { worker_connections 1024; }',
    'http {',
    `  access_log ${o.dir}/access.log;`,
    ...temp,
    `  client_max_body_size ${o.maxBodyBytes};`,
    `  client_body_buffer_size ${o.maxBodyBytes};`,
    '  server {',
    `    listen 127.0.0.1:${o.port};`,
    // `a,b,c` in one URL is one stream multiplexing three channels (compound message ids).
    '    location ~ ^/sub/(.+)$ {',
    '      nchan_subscriber eventsource;',
    '      nchan_channel_id $1;',
    '      nchan_channel_id_split_delimiter ",";',
    // Without an id a new stream waits for the next message instead of replaying the buffer.
    '      nchan_subscriber_first_message newest;',
    ...store,
    ...timeout,
    ...ping,
    '    }',
    '    location ~ ^/pub/(.+)$ {',
    '      nchan_publisher;',
    '      nchan_channel_id $1;',
    ...store,
    '    }',
    '    location = /nchan_status {',
    '      nchan_stub_status;',
    '    }',
    // Module scripts need a JavaScript MIME type; nginx's mime.types lives outside this prefix.
    ...(o.staticRoot === undefined ? [] : [
      '    location / {',
      `      root ${o.staticRoot};`,
      '      types { text/html html; text/javascript js mjs; application/json json map; text/css css; }',
      '      add_header Cache-Control no-store;',
      '    }',
    ]),
    '  }',
    '}',
    '',
  ].join('\n')
}
