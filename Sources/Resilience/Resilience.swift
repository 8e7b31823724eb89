// Placeholder so the package builds while Resilience is written.
