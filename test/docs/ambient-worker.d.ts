// The docs' worker-side snippets need nothing of the app.
export {}
