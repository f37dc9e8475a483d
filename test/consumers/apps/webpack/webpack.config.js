// webpack 5's usual TypeScript set-up (ts-loader + html-webpack-plugin); nothing tabrelay-specific.
// webpack bundles the worker from `new SharedWorker(new URL('./realtime.worker.ts', import.meta.url))`.
const HtmlWebpackPlugin = require('html-webpack-plugin')

module.exports = {
  entry: './src/index.ts',
  module: { rules: [{ test: /\.ts$/, use: 'ts-loader', exclude: /node_modules/ }] },
  resolve: { extensions: ['.ts', '.js'] },
  output: { clean: true },
  plugins: [new HtmlWebpackPlugin({ title: 'tabrelay + webpack' })],
}
