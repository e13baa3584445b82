// @generated automatically by Diesel CLI.
//
// Regenerate with `diesel print-schema > api/src/db/schema.rs` after adding a migration
// (see CONTRIBUTING.md).

diesel::table! {
    airfields (icao) {
        icao -> Bpchar,
        iata -> Nullable<Bpchar>,
        name -> Text,
        city -> Nullable<Text>,
        subdivision -> Nullable<Text>,
        country -> Bpchar,
        elevation_ft -> Nullable<Int4>,
        lat -> Float8,
        lon -> Float8,
        tz -> Nullable<Text>,
        search_text -> Text,
    }
}

diesel::table! {
    categories (id) {
        id -> Uuid,
        parent_id -> Nullable<Uuid>,
        slug -> Text,
        position -> Int4,
        name_fr -> Text,
        name_en -> Text,
        attribute_group -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    email_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        purpose -> Text,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    makes (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        kinds -> Array<Text>,
        country -> Nullable<Bpchar>,
        search_text -> Text,
        search_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    models (id) {
        id -> Uuid,
        make_id -> Uuid,
        name -> Text,
        search_text -> Text,
        search_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        created_at -> Timestamptz,
        next_attempt_at -> Timestamptz,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    personal_access_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        prefix -> Text,
        token_hash -> Bytea,
        scopes -> Array<Text>,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    reference_data (name) {
        name -> Text,
        sha256 -> Text,
        rows_loaded -> Int4,
        rows_skipped -> Int4,
        loaded_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        token_version -> Int4,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        replaced_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        email_verified_at -> Nullable<Timestamptz>,
        password_hash -> Text,
        display_name -> Text,
        locale -> Text,
        account_type -> Text,
        company_name -> Nullable<Text>,
        company_registration -> Nullable<Text>,
        phone -> Nullable<Text>,
        show_phone -> Bool,
        notify_messages -> Bool,
        notify_saved_searches -> Bool,
        notify_newsletter -> Bool,
        role -> Text,
        status -> Text,
        token_version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        suspended_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(models -> makes (make_id));
diesel::joinable!(personal_access_tokens -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    airfields,
    categories,
    email_tokens,
    makes,
    models,
    outbox,
    personal_access_tokens,
    reference_data,
    refresh_tokens,
    users,
);
