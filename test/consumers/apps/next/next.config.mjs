// `output: 'export'` writes static files to out/, served like the other consumer apps; nothing
// tabrelay-specific (no transpilePackages, no webpack rules).
/** @type {import('next').NextConfig} */
const nextConfig = { output: 'export' }

export default nextConfig
