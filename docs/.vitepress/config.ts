import { defineConfig } from 'vitepress'

// The docs site: `npm run docs` serves it, `npm run docs:build` builds it (part of `npm test`,
// which fails on a dead internal link); `npm run check:docs` type-checks every code block.
export default defineConfig({
  title: 'tabrelay',
  description: 'One shared realtime connection for every browser tab of a user.',
  cleanUrls: true,
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/quick-start' },
      { text: 'Develop', link: '/develop/tests' },
    ],
    sidebar: [
      {
        text: 'Guide',
        items: [
          { text: 'Quick start', link: '/guide/quick-start' },
          { text: 'Install and bundlers', link: '/guide/install' },
          { text: 'Supabase Realtime', link: '/guide/supabase' },
          { text: 'Plain WebSocket', link: '/guide/websocket' },
          { text: 'Server-Sent Events', link: '/guide/sse' },
          { text: 'Socket.IO', link: '/guide/socketio' },
          { text: 'React', link: '/guide/react' },
          { text: 'Lifecycle and guarantees', link: '/guide/lifecycle' },
          { text: 'Security model', link: '/guide/security' },
          { text: 'Limits', link: '/guide/limits' },
          { text: 'Troubleshooting', link: '/guide/troubleshooting' },
          { text: 'Devtools', link: '/guide/devtools' },
          { text: 'Migrating from supabase-js', link: '/guide/migrating' },
          { text: 'Testing your app', link: '/guide/testing' },
          { text: 'Browser support', link: '/guide/browser-support' },
          { text: 'Architecture', link: '/guide/architecture' },
          { text: 'Write your own transport', link: '/guide/write-a-transport' },
        ],
      },
      {
        text: 'Develop',
        items: [
          { text: 'Tests', link: '/develop/tests' },
          { text: 'The demo', link: '/develop/demo' },
          { text: 'Benchmarks', link: '/develop/benchmarks' },
          { text: 'Soak', link: '/develop/soak' },
        ],
      },
    ],
  },
})
