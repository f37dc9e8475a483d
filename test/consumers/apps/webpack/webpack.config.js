// webpack 5's usual TypeScript set-up (ts-loader + html-webpack-plugin); nothing tabrelay-specific.
// webpack bundles the hub from `new SharedWorker(new URL('tabrelay/worker/default', import.meta.url))`.
const HtmlWebpackPlugin = require('html-webpack-plugin')

module.exports = {
  entry: './src/index.ts',
  module: { rules: [{ test: /\.ts$/, use: 'ts-loader', exclude: /node_modules/ }] },
  resolve: { extensions: ['.ts', '.js'] },
  output: { clean: true },
  plugins: [new HtmlWebpackPlugin({ title: 'tabrelay + webpack' })],
}
