// @generated automatically by Diesel CLI.
//
// Regenerate with `diesel print-schema > api/src/db/schema.rs` after adding a migration
// (see CONTRIBUTING.md). The foundation migrations create functions and extensions only,
// so there are no tables yet.
