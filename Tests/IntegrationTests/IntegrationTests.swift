import Testing

// Multi-process tests (real coordinator, workers, PostgreSQL) arrive with issue 5.
