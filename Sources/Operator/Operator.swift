// Operator: what an on-call engineer runs against a live server or a stored rollout.
//
//   Admin/      AdminClient: the admin API over HTTP, with errors an operator can act on
//   Dashboard/  the live terminal view: a pure renderer (status → lines) and the terminal loop
//   Report/     the post-migration report (HTML with inline SVG, or Markdown) from the store
