// Placeholder so the package builds while Upstream is written.
