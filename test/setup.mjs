#!/usr/bin/env node
// Fresh-clone set-up, run by npm before `npm test` and `npm run demo` (the `pre*` scripts), so the
// README's two commands work on a machine that has only Node and npm. Plain JS on purpose: it runs
// before any dependency (tsx, TypeScript) is installed.
//
//   node test/setup.mjs demo   installs npm dependencies when missing or stale (with DEMO_INBOX=django,
//                              also the Debian packages of the Django inbox the demo then starts)
//   node test/setup.mjs test   the same, plus the browsers and servers the suites drive (Debian packages)
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'

const mode = process.argv[2] ?? 'test'

function run(command, args) {
  console.log(`setup: ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  if (result.status !== 0) {
    console.error(`setup: ${command} failed (exit ${result.status ?? result.signal})`)
    process.exit(result.status ?? 1)
  }
}

// npm writes node_modules/.package-lock.json on every install: older than the lockfile = stale.
const installed = 'node_modules/.package-lock.json'
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs) {
  run('npm', ['ci', '--no-audit', '--no-fund'])
}

// The Django project on Redis (test/servers/django) that the WebSocket suites and
// `DEMO_INBOX=django npm run demo` start (the same list as .ci/run).
const djangoInbox = [
  ['/usr/bin/daphne', 'daphne', true],
  ['/usr/lib/python3/dist-packages/channels', 'python3-django-channels', true],
  ['/usr/lib/python3/dist-packages/channels_redis', 'python3-channels-redis', true],
  ['/usr/bin/redis-server', 'redis-server', true],
  ['/usr/lib/python3/dist-packages/rest_framework', 'python3-djangorestframework', true],
  ['/usr/lib/python3/dist-packages/rest_framework_simplejwt', 'python3-djangorestframework-simplejwt', true],
]

if (mode === 'demo' && process.env.DEMO_INBOX === 'django') install(djangoInbox)

if (mode === 'test') {
  // Browsers cannot be downloaded here (`npx playwright install` fails): use Debian's packages.
  install([
    ['/usr/bin/chromium', 'chromium', !process.env.CHROMIUM_PATH],
    ['/usr/bin/firefox-esr', 'firefox-esr', true],
    ['/usr/bin/WebKitWebDriver', 'webkit2gtk-driver', true],
    ['/usr/bin/Xvfb', 'xvfb', true],
    // Real third-party servers the suites start on loopback (test/servers): Django Channels on
    // Redis for the WebSocket transport, nginx + nchan for SSE, PostgreSQL.
    ...djangoInbox,
    ['/usr/sbin/nginx', 'nginx', true],
    ['/usr/lib/nginx/modules/ngx_nchan_module.so', 'libnginx-mod-nchan', true],
    ['/usr/lib/postgresql/15/bin/postgres', 'postgresql', true],
  ])
}

// Installs the Debian packages of `wanted` ([a file it installs, package, is needed]) that are
// missing, when running as root with apt-get; otherwise says what to install.
function install(wanted) {
  const missing = wanted.filter(([path, , isNeeded]) => isNeeded && !existsSync(path)).map(([, pkg]) => pkg)
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')
  if (missing.length > 0 && canInstall) {
    run('apt-get', ['update', '-q'])
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing])
  } else if (missing.length > 0) {
    console.warn(`setup: missing ${missing.join(', ')}; install them (Debian: apt-get install ${missing.join(' ')}) or set CHROMIUM_PATH`)
  }
}
