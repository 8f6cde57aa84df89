import type { ApplicationFunctionOptions, Probot } from 'probot'
import { createApp } from './create-app.js'

/** The Probot entry point: `npx probot run ./dist/src/app/index.js` (what `npm start` runs). */
export default function app(probot: Probot, options: ApplicationFunctionOptions): void {
  createApp()(probot, options)
}
