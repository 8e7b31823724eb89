// Placeholder so the package builds while MockProvider is written.
