// Progressive enhancement only: every journey works without this script.
import { initAll } from '/assets/govuk-frontend.min.js'

initAll()
