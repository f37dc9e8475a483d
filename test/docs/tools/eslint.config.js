// ESLint for the docs' code blocks (test/docs/out/, written by snippets.ts): React's hooks rules,
// so a snippet an app copies passes the lint that app most likely runs.
import parser from '@typescript-eslint/parser'
import hooks from 'eslint-plugin-react-hooks'

export default [{
  files: ['**/*.ts', '**/*.tsx'],
  languageOptions: { parser, parserOptions: { ecmaFeatures: { jsx: true } } },
  plugins: { 'react-hooks': hooks },
  rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
}]
